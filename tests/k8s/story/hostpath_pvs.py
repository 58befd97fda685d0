"""NFS PersistentVolumes as this machine can have them (no NFS client in
this kernel): each `nfs:` block (server and path, in either order) becomes a
hostPath on DIR/<the export's last directory>, of the same volume's name and
class. Prints the text; fails unless exactly COUNT volumes were replaced.
Usage: hostpath_pvs.py FILE DIR COUNT"""
import re
import sys

path, root, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
block = re.compile(r"  nfs:\n(?:    (?:server|path): [^\n]*\n?){2}")


def hostpath(m):
    export = re.search(r"path: (\S+)", m.group(0)).group(1)
    end = "\n" if m.group(0).endswith("\n") else ""
    return f"  hostPath:\n    path: {root}/{export.rstrip('/').rsplit('/', 1)[-1]}\n    type: Directory{end}"


text, n = block.subn(hostpath, open(path).read())
assert n == count, f"expected {count} NFS volumes in {path}, replaced {n}"
print(text.rstrip())
