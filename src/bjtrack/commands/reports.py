"""Report export and bulk import commands (export, import)."""
