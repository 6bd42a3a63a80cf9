# Source lines that reach memory the way only device code may, from clang's
# LLVM IR (-S -emit-llvm -g): volatile loads, stores, atomics and mem*
# intrinsics, and inline asm. Prints "FILE:LINE" (FILE = directory/filename
# as recorded; the caller normalizes paths). Two passes over the same file:
# the first collects the debug metadata, the second the instructions.
function field(s, name,    r) {
    if (!match(s, name ": [^,)]+"))
        return ""
    r = substr(s, RSTART + length(name) + 2, RLENGTH - length(name) - 2)
    gsub(/"/, "", r)
    return r
}
NR == FNR {
    if (!match($0, /^![0-9]+ = /))
        next
    id = substr($0, 2, RLENGTH - 4)
    if (/!DILocation\(/) { line[id] = field($0, "line"); scope[id] = field($0, "scope") }
    else if (/!DIFile\(/) {
        f = field($0, "filename"); d = field($0, "directory")
        path[id] = (f ~ /^\// || d == "") ? f : d "/" f
    } else if (/!DISubprogram\(|!DILexicalBlock(File)?\(/) sfile[id] = field($0, "file")
    next
}
/(load|store|atomicrmw|cmpxchg) volatile|@llvm\.mem(cpy|move|set)[.a-z0-9]*\(.*i1 true\)| asm [a-z ]*"/ {
    if (!match($0, /!dbg ![0-9]+/)) { print "?"; next }
    d = substr($0, RSTART + 6, RLENGTH - 6)
    s = substr(scope[d], 2)
    f = substr(sfile[s], 2)
    print ((f in path) ? path[f] : "?") ":" line[d]
}
