"""The data lake: Iceberg tables (``nakhon.lake.iceberg``) queried with DuckDB (``duck``).

Import from the modules (``from nakhon.lake.iceberg import Lake, table_ref``): importing this
package stays cheap for code that only needs ``nakhon.lake.duck``.
"""
