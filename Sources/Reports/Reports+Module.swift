// Reports: see ARCHITECTURE.md
