"""Writers of the tables the domain built: terminal (rich), CSV, XLSX, HTML, JSON."""
