# Sources/modules.txt -> make variables (the Makefile includes the result, build/modules.mk):
# SWIFT_MODULES, C_MODULES, DIR_<m>, DEPS_<m> (direct imports) and LINK_<m> (<m>'s Swift
# modules and all they import, transitively, in declaration order).
/^[ \t]*(#|$)/ { next }
{
    name[++n] = $1; dir[$1] = $2; kind[$1] = $3
    deps[$1] = ""
    for (i = 4; i <= NF; i++) deps[$1] = deps[$1] " " $i
}
function mark(m,    d, k, parts) {
    if (m in seen) return
    seen[m] = 1
    k = split(deps[m], parts, " ")
    for (d = 1; d <= k; d++) mark(parts[d])
}
END {
    for (i = 1; i <= n; i++) {
        m = name[i]
        printf "DIR_%s := %s\nDEPS_%s :=%s\n", m, dir[m], m, deps[m]
        if (kind[m] == "c") { cmods = cmods " " m; continue }
        smods = smods " " m
        split("", seen); mark(m)
        link = ""
        for (j = 1; j <= n; j++) if ((name[j] in seen) && kind[name[j]] != "c") link = link " " name[j]
        printf "LINK_%s :=%s\n", m, link
    }
    printf "SWIFT_MODULES :=%s\nC_MODULES :=%s\n", smods, cmods
}
