// Smaps: see ARCHITECTURE.md
