"""`procountor-connector map FILE... --jsonl`: one JSON object per file, the exact body, no network."""

from __future__ import annotations

import json

from adapters.cli.main import main
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl


def test_map_prints_one_object_per_file(tmp_path, capsys):
    good = tmp_path / "good.xml"
    good.write_bytes(render_ubl(sample_invoice("MAP-1", 3, with_attachment=True)))
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<not-ubl/>")
    status = main(["map", str(good), str(bad), "--jsonl"])
    lines = capsys.readouterr().out.splitlines()
    assert status == 1 and len(lines) == 2
    ok, failed = (json.loads(line) for line in lines)
    assert ok["ok"] is True and ok["file"] == str(good)
    assert ok["invoice"]["originalInvoiceNumber"] == "MAP-1"
    assert all("productId" not in row for row in ok["invoice"]["invoiceRows"])
    assert ok["reference"]["type"] == "FI" and ok["attachments"][0]["action"] == "upload"
    assert [p["code"] for p in ok["products"]] == ["SKU-0001", "SKU-0002", "SKU-0003"]
    assert failed["ok"] is False and failed["error"]["code"]


def test_vat_rates_option(tmp_path, capsys):
    path = tmp_path / "inv.xml"
    path.write_bytes(render_ubl(sample_invoice("MAP-2", 2)))
    assert main(["map", str(path), "--jsonl", "--vat-rates", "24,0"]) == 1
    record = json.loads(capsys.readouterr().out)
    assert record["error"]["code"] == "VAT_RATE_NOT_ENABLED"
