app_name = "speakers"
urlpatterns: list = []
