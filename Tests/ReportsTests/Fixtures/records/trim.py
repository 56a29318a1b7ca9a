import json, sys
# Keep only the mappings a region covers (re-indexed), so a fixture record stays small.
r = json.load(open(sys.argv[1]))
for s in r["snapshots"]:
    for p in s["processes"]:
        keep = sorted({i for reg in p["regions"] for i in reg["mappingIndexes"]})
        new = {old: n for n, old in enumerate(keep)}
        p["mappings"] = [p["mappings"][i] for i in keep]
        for reg in p["regions"]:
            reg["mappingIndexes"] = [new[i] for i in reg["mappingIndexes"]]
json.dump(r, open(sys.argv[2], "w"), indent=2, sort_keys=True)
