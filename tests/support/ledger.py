"""Stock received through the API, and the office's dates that lots expire on."""

from datetime import date, timedelta

from logistics.core.time import office_today


def today() -> date:
    """The office's day (Asia/Jakarta), which the services date documents with; read when asked,
    never frozen at import, so a run that crosses midnight still agrees with the services."""
    return office_today()


def soon() -> date:
    return today() + timedelta(days=20)


def later() -> date:
    return today() + timedelta(days=300)


def past() -> date:
    return today() - timedelta(days=3)


def item_id(code):
    from logistics.stock import ledger

    return ledger.get_item(code).id


def receipt(warehouse, lines, **extra):
    return {
        "warehouse_id": warehouse.id,
        "source": "apbd",
        "source_document": "SPB-01",
        "giver_name": "CV Pangan",
        "receiver_name": "Budi",
        "lines": lines,
        **extra,
    }


def stock_in(client, warehouse, code, quantity, expiry=None, lot_code=""):
    line = {"item_id": item_id(code), "quantity": quantity, "lot_code": lot_code}
    if expiry:
        line["expiry_date"] = expiry.isoformat()
    response = client.post("/api/v1/stock-receipts", json=receipt(warehouse, [line]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()
