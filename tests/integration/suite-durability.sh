# No acknowledged write lost (issue 13): the VMM is killed with SIGKILL while
# the guest streams writes to a virtio-blk disk (guest/durability.c), at
# several moments, and every image is checked against what the guest saw
# complete (durable-check.py). Mode flush negotiates VIRTIO_BLK_F_FLUSH and
# flushes every 8 writes; mode noflush refuses it, so the device must be
# write-through. Each mode: one clean run of 300 writes to the end; kills
# with 4 requests in flight after 1, 40 and 300 completions and 0.7 and
# 2.5 s after the first (the 1 MiB disk is 128 slots of 8 KiB: the longer
# runs wrap it); and kills with one request at a time and a 150 ms pause
# after each completion (after 10 and 25 completions, 2 s after the first),
# which land mostly while the device is idle with its last completion
# logged, where a write completed before it sticks would show.
# (Sourced by run.sh.)
# What this proves is the process-kill case; the images are on the nested
# host's tmpfs, where fsync does nothing, so host power loss is not tested
# here (README, "No acknowledged write lost").

DCHK=tests/integration/durable-check.py
cp tests/integration/durable-kill.sh "$STAGE_EXTRA/durable-kill.sh"
dslow=isv.durable.depth=1,isv.durable.gap=150
dpoints="e300 w1 w40 w300 t700000 t2500000 w10/$dslow w25/$dslow t2000000/$dslow"
for dm in flush:gcc noflush:clang; do
    mode=${dm%%:*} cc=${dm#*:}
    n=durable-kill-$mode
    vmm_case $n 240 "sh durable-kill.sh $mode 1 $cc $dpoints"
    expect_out $n "^durable-kill: $mode run 1 \\(e300\\): ran to the end, isv rc 0, 300 completions"
    for r in 2 3 4 5 6 7 8 9; do
        expect_out $n "^durable-kill: $mode run $r \\([wt][0-9]+[^)]*\\): killed with SIGKILL, isv rc 137, "
    done
    expect_cmd $n "for r in 1 2 3 4 5 6 7 8 9; do $DCHK --mode $mode \$EXPORT/durable-$mode-\$r.log \$EXPORT/durable-$mode-\$r.img || exit 1; done"
done
