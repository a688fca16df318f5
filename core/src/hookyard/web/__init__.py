"""Internal: everything Litestar. Nothing outside this package (and no plugin) imports it."""
