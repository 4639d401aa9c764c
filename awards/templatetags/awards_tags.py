from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """mapping[key] in a template (field errors by name, posted values); '' when absent."""
    if not mapping:
        return ""
    if not hasattr(mapping, "get"):
        return ""
    value = mapping.get(key)
    return value if value is not None else mapping.get(str(key), "")


@register.simple_tag
def field_key(prefix, pk):
    return f"{prefix}_{pk}"
