"""Bringing a shop's existing members and purchase history in from a CSV or Excel file.

Two layers, each its own module:
- reading (no database): ``sheet`` reads the file as text cells with their line
  numbers (encoding rules, CSV/XLSX/XLS), ``fields`` maps the file's headers to
  Regulars fields, ``cells`` understands one cell (phones, dates, genders, money),
  ``rows`` turns a sheet into ``model.CustomerRow``/``model.PurchaseRow`` and refusals,
  folding rows of the same person;
- writing: ``plan`` compares the rows with the shop (new, updated, unchanged), ``apply``
  writes them in one transaction with an import batch record.

``model`` holds the values passed between them.
"""
