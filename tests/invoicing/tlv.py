"""An independent reader of ZATCA's phase-1 QR payload (not the code under test): base64 → TLV records."""

import base64

TAGS = {1: "seller_name", 2: "vat_number", 3: "timestamp", 4: "total", 5: "vat_total"}


def tlv_decode(payload: str) -> dict[str, str]:
    data = base64.b64decode(payload, validate=True)
    fields, index = {}, 0
    while index < len(data):
        tag, length = data[index], data[index + 1]
        value = data[index + 2: index + 2 + length]
        assert len(value) == length, "truncated TLV record"
        fields[TAGS.get(tag, str(tag))] = value.decode("utf-8")
        index += 2 + length
    return fields
