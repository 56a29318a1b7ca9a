print("cowlab: not built yet")
