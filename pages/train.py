"""Train page (coming)."""

from lightdesign.ui import coming

coming.render("Train")
