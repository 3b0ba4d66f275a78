"""Relief stock: item catalogue, warehouses, the stock ledger, stock documents and BAST numbers."""
