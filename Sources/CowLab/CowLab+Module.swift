// CowLab: see ARCHITECTURE.md
