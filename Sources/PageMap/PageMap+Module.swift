// PageMap: see ARCHITECTURE.md
