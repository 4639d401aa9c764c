import threading

import pytest
from django.db import connection

from speakers import services
from speakers.models import PaperFile
from tests.factories import PersonFactory, UserFactory, WorkingPaperFactory
from tests.speakers import files


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_get_distinct_versions(postgres_only):
    user = UserFactory()
    paper = WorkingPaperFactory()
    paper.speakers.add(PersonFactory(user=user))
    barrier = threading.Barrier(4)
    errors = []

    def upload(n):
        try:
            barrier.wait()
            services.paper_file_upload(paper=paper, user=user, upload=files.upload(f"{n}.pdf", files.pdf_bytes()))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(PaperFile.objects.filter(paper=paper).values_list("version", flat=True)) == [1, 2, 3, 4]
