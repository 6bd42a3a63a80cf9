# Syndrome oracle: the ESR_EL2 the CPU model really reports for each guest
# MMIO trap (KVM's kvm_guest_fault tracepoint in the nested host) must equal
# what the A64 decoder predicts, for every load/store form of the guest's form
# table: the accessor library's own forms (ldrb/ldrh/ldr w/ldr x, strb/strh/
# str w/str x, bare base) and the ISV=0 ones (pairs, ldpsw, pre/post-index,
# ldxr). (Sourced by run.sh.)

cp tests/integration/oracle-trace.sh "$STAGE_EXTRA/oracle-trace.sh"
ORACLE="$build/host/syndrome-oracle --load 0x40000000"
# The library's forms by name (so a renamed label cannot drop them), plus every
# form_insn_* label the image has.
LIB_FORMS=form_insn_ldrb,form_insn_ldrh,form_insn_ldr_w,form_insn_ldr_x,form_insn_strb,form_insn_strh,form_insn_str_w,form_insn_str_x

# Same forms in both guests; the clang build adds its own register allocation
# for the library accessors in the drivers (rows marked "lib").
# (No `$` after the guest's summary lines: the VMM's exit messages on stderr
# can land inside the guest's last console line: its final bytes reach stdout late.)
for cc in gcc clang; do
    vmm_case "oracle-$cc" 120 "sh oracle-trace.sh $cc"
    expect_rc "oracle-$cc" 0
    expect_out "oracle-$cc" '^isv guest: forms: 28 ok, 0 wrong, 0 aborted'
    expect_out "oracle-$cc" '^isv guest: forms: 0 ok, 0 wrong, 1 aborted'
    expect_out "oracle-$cc" 'kvm_guest_fault: ipa 0xb000000, hsr '
    # The table lands in build/integration/out/oracle-$cc.oracle.
    expect_cmd "oracle-$cc" "set -o pipefail; $ORACLE --require $LIB_FORMS --require-prefix form_insn_ $build/aarch64/guest-$cc/guest.elf \"\$OUT\" | tee \"\${OUT%.txt}.oracle\""
done
