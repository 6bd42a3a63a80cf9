# Filters `objdump -dl` output down to MMIO code: keeps section and symbol
# headers and the instructions whose source location is in the set read
# from the first file ("FILE:LINE" per line, paths already normalized), or
# that have no location (unknown = treated as MMIO code). Locations printed
# by objdump are normalized with realpath. Also writes "ADDR FILE:LINE" for
# every instruction to the file named by -v locs=FILE.
function norm(p,    cmd, r) {
    if (p in cache)
        return cache[p]
    cmd = "realpath -m -- '" p "'"
    r = p
    cmd | getline r
    close(cmd)
    return cache[p] = r
}
FILENAME == ARGV[1] { want[$0] = 1; next } # (NR == FNR breaks on an empty set)
/^Disassembly of section / { print; next }
/^[0-9a-f]+ <.*>:$/ { print; cur = ""; next }
/^[^ \t].*\(\):$/ { next } # "func():" (which function a location belongs to)
/^[^ \t].*:[0-9]+( \(discriminator [0-9]+\))?$/ {
    loc = $0
    sub(/ \(discriminator [0-9]+\)$/, "", loc)
    n = match(loc, /:[0-9]+$/)
    cur = norm(substr(loc, 1, n - 1)) substr(loc, n)
    next
}
/^ *[0-9a-f]+:\t/ {
    addr = $1
    sub(/:$/, "", addr)
    print addr, (cur == "" ? "?" : cur) > locs
    if (cur == "" || cur in want)
        print
}
