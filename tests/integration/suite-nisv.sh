# Exit and syndrome decoding (issue 4): load/store forms against the test
# device under each --nisv policy, and the sign-extension fix. (Sourced by run.sh.)

TD="bin/isv --device testdev"

# ISV=1 forms, sign-extending loads included: all correct, with the fix on (default).
for cc in gcc clang; do
    vmm_case "forms-isv1-$cc" 30 "$TD --append 'isv.test=forms isv.forms=isv1' guest/$cc/Image"
    expect_rc "forms-isv1-$cc" 0
    expect_out "forms-isv1-$cc" '^isv guest: forms: 15 ok, 0 wrong, 0 aborted$'
    expect_out "forms-isv1-$cc" '^isv guest: form ldrsb_w +ldrsb w9, \[x0\] +ok$'
    expect_out "forms-isv1-$cc" '^isv guest: form ldrsw +ldrsw x9, \[x0\] +ok$'
done

# Without the fix KVM's zero-extension shows: the guest sees wrong values.
vmm_case forms-sext-nofix 30 "$TD --sext-fix off --append 'isv.test=forms isv.forms=ldrsb_w,ldrsb_x,ldrsh_w,ldrsh_x,ldrsw,ldr_w' guest/gcc/Image"
expect_rc forms-sext-nofix 2
expect_out forms-sext-nofix '^isv guest: form ldrsb_w: registers 0xb1 0x99aabbccddeeff00, expected 0xffffffb1 '
expect_out forms-sext-nofix '^isv guest: form ldrsw +ldrsw x9, \[x0\] +WRONG$'
expect_out forms-sext-nofix '^isv guest: form ldr_w +ldr w9, \[x0\] +ok$'
expect_out forms-sext-nofix '^isv guest: forms: 1 ok, 5 wrong, 0 aborted$'

# ISV=0 forms under --nisv=emulate: pairs, writeback, sign extension, all right.
for cc in gcc clang; do
    vmm_case "forms-emulate-$cc" 30 "bin/isv --device testdev --nisv emulate --append 'isv.test=forms isv.forms=nisv' guest/$cc/Image"
    expect_rc "forms-emulate-$cc" 0
    expect_out "forms-emulate-$cc" '^isv guest: forms: 13 ok, 0 wrong, 0 aborted$'
    expect_out "forms-emulate-$cc" '^isv guest: form ldp_x_post +ldp x9, x10, \[x0\], #16 +ok$'
    expect_out "forms-emulate-$cc" '^isv guest: form str_x_pre +str x9, \[x0, #-8\]! +ok$'
    expect_out "forms-emulate-$cc" '^isv: emulated 13 instructions without a valid syndrome$'
done

# --nisv=stop (default): the first no-syndrome access stops the VM with a report naming it.
vmm_case nisv-stop 30 "$TD --append 'isv.test=forms isv.forms=ldr_w,ldp_x,stp_x' guest/gcc/Image"
expect_rc nisv-stop 4
expect_out nisv-stop '^isv guest: form ldr_w +ldr w9, \[x0\] +ok$'
expect_out nisv-stop '^isv: guest MMIO access without a valid syndrome at IPA 0xb000110: stopping \(--nisv=stop\)$'
expect_out nisv-stop '^isv:   pc 0x4[0-9a-f]+ \(pa 0x4[0-9a-f]+\): a9402809  ldp x9, x10, \[x0\]$'
expect_out nisv-stop '^isv:   syndrome: .*read'
expect_out nisv-stop '^isv:   why: pair: '
expect_not nisv-stop 'form ldp_x .* ok'

# --nisv=inject: the guest takes an external data abort in its vector.
vmm_case nisv-inject 30 "$TD --nisv inject --append 'isv.test=forms isv.forms=ldp_x,str_w_post,ldr_w isv.abort=expect' guest/gcc/Image"
expect_rc nisv-inject 0
expect_out nisv-inject '^isv guest: form ldp_x +ldp x9, x10, \[x0\] +data abort taken, ESR_EL1 0x96000010( \(bits \[63:32\] set\))?$'
expect_out nisv-inject '^isv guest: form str_w_post +str w9, \[x0\], #4 +data abort taken, ESR_EL1 0x96000010( \(bits \[63:32\] set\))?$'
expect_out nisv-inject '^isv guest: forms: 1 ok, 0 wrong, 2 aborted$'
expect_out nisv-inject 'injected an external data abort \(--nisv=inject\)$'
expect_out nisv-inject '^isv: injected 2 external data aborts$'

# What the emulator refuses stops the VM, saying why.
vmm_case nisv-emulate-refused 30 "$TD --nisv emulate --append 'isv.test=forms isv.forms=ldxr' guest/gcc/Image"
expect_rc nisv-emulate-refused 4
expect_out nisv-emulate-refused 'cannot emulate it \(not emulated: .*\): stopping$'
expect_out nisv-emulate-refused 'ldxr x9, \[x0\]$'

vmm_case bad-nisv-policy 10 "bin/isv --nisv sometimes guest/gcc/Image"
expect_rc bad-nisv-policy 1
expect_out bad-nisv-policy "^isv: error: --nisv: 'sometimes' is not stop, inject or emulate$"
expect_lines bad-nisv-policy 1
