# Debian's EDK2 (qemu-efi-aarch64's QEMU_EFI.fd, unmodified) under isv with
# --bios: to the UEFI shell with a variable store that persists across runs
# (--uefi-vars, made from Debian's AAVMF_VARS.fd), then on to Linux through
# UEFI from a FAT EFI system partition on virtio-blk. The console is typed at
# through fw-drive.sh, which skips the shell's 5 s startup.nsh countdown.
# (Sourced by run.sh.)

efi_root=$build/cache/arm64/root/usr/share
mkdir -p "$STAGE_EXTRA/efi"
cp "$efi_root/qemu-efi-aarch64/QEMU_EFI.fd" "$STAGE_EXTRA/efi/QEMU_EFI.fd"
cp "$efi_root/AAVMF/AAVMF_VARS.fd" "$STAGE_EXTRA/efi/AAVMF_VARS.fd"
cp tests/integration/fw-drive.sh "$STAGE_EXTRA/fw-drive.sh"
FW="sh fw-drive.sh"
BIOS="bin/isv --mem 512M --bios efi/QEMU_EFI.fd"
VARS="--uefi-vars /tmp/isv-vars.fd,template=efi/AAVMF_VARS.fd"
GUID=3b0e3d5a-7c1f-4a55-9e2b-6f0c8d1a2b3c   # the test variable's vendor GUID (made up)

# 1: a fresh store from the template; the shell sets a non-volatile variable
# and powers off (reset -s: PSCI SYSTEM_OFF, isv exits 0).
cat > "$STAGE_EXTRA/fw-set.steps" <<STEPS
wait 240 Press .*ESC.* to skip
send \\033
wait 60 Shell>
send setvar IsvTest -guid $GUID -nv -bs =L"isv-persist"\\r
waitn 30 2 Shell>
send reset -s\\r
STEPS
n=firmware-shell
vmm_case $n 300 "rm -f /tmp/isv-vars.fd; $FW fw-set.steps $BIOS $VARS --verbose --stats; rc=\$?; \
echo \"isv-host: IsvTest in the store: \$(tr -d '\\000' < /tmp/isv-vars.fd | grep -c IsvTest)\"; exit \$rc"
expect_rc $n 0
expect_out $n "^isv: boot: --uefi-vars '/tmp/isv-vars.fd' created from 'efi/AAVMF_VARS.fd'"
expect_out $n '^UEFI firmware \(version'
expect_out $n 'UEFI Interactive Shell v2\.2'
expect_out $n '^isv-fw: /Shell>/ at [0-9.]+ s'
expect_out $n '^isv-host: IsvTest in the store: [1-9]'
expect_out $n '^isv: stats:   device cfi-flash@4000000 +reads [0-9]+, writes [1-9]'
# Debian's EDK2 uses inline-asm accessors: nothing without a valid syndrome.
expect_out $n '^isv: stats:   exits without a valid syndrome: 0$'
expect_not $n 'Synchronous Exception'

# 2: the same store, a new VMM: the variable is still there.
cat > "$STAGE_EXTRA/fw-get.steps" <<STEPS
wait 240 Press .*ESC.* to skip
send \\033
wait 60 Shell>
send dmpstore IsvTest -guid $GUID\\r
waitn 30 2 Shell>
send reset -s\\r
STEPS
n=firmware-vars-persist
vmm_case $n 300 "$FW fw-get.steps $BIOS $VARS"
expect_rc $n 0
expect_out $n "Variable NV\+BS '[0-9A-Fa-f-]+:IsvTest' DataSize = 0x1[68]"
expect_out $n 'i\.s\.v\.-\.p\.e\.r\.s' # the dump splits the string across lines

# 3: Linux through UEFI: the EFI stub of Debian's kernel (its vmlinuz is an
# uncompressed Image with a PE header), the project's initramfs and a
# startup.nsh on a FAT ESP; a volatile store (no --uefi-vars).
esp=$STAGE_EXTRA/esp.img
rm -f "$esp"
mkfs.vfat -C -n ISVESP "$esp" 65536 >/dev/null
mcopy -i "$esp" "$(readlink -f "$build/cache/arm64/vmlinuz")" ::/Image
mcopy -i "$esp" "$build/linux/initramfs.cpio.gz" ::/initrd.gz
printf 'fs0:\r\n\\Image initrd=\\initrd.gz console=ttyAMA0 quiet panic=-1 isv.linux=efi\r\n' > "$work/startup.nsh"
mcopy -i "$esp" "$work/startup.nsh" ::/startup.nsh
cat > "$STAGE_EXTRA/fw-linux.steps" <<STEPS
wait 240 Press .*ESC.* to skip
send \\r
wait 300 isv-linux: END efi
STEPS
n=firmware-linux
vmm_case $n 420 "$FW fw-linux.steps $BIOS --stats --device virtio-blk,file=esp.img"
expect_rc $n 0
expect_out $n '^isv-linux: efi: booted through UEFI$'
expect_out $n '^isv-linux: efi: EFI v2\.[0-9]+ by EDK II'
expect_out $n '^isv-linux: efi: runtime services enabled$'
expect_out $n '^isv-linux: END efi rc=0$'
expect_out $n '^isv-linux: efi: vda 131072 sectors, first bytes eb3c90$'
expect_out $n 'reboot: Power down'
expect_out $n '^isv: stats:   exits without a valid syndrome: 0$'

# 4: --nisv=audit and --trace-mmio on EDK2 to the shell: what its accesses
# are (the audit's verdict, whatever it is, goes in README), every one of
# them a line (trace-check.py --firmware: grammar, PCs in flash or RAM, the
# per-device counts equal --stats, the PL011 writes spell the prompt).
cat > "$STAGE_EXTRA/fw-shell.steps" <<STEPS
wait 240 Press .*ESC.* to skip
send \\033
wait 60 Shell>
send reset -s\\r
STEPS
n=firmware-audit-trace
vmm_case $n 300 "rm -f /tmp/fw-trace.txt; $FW fw-shell.steps $BIOS --nisv=audit --trace-mmio /tmp/fw-trace.txt --stats; \
rc=\$?; cp /tmp/fw-trace.txt export/fw-trace.txt; exit \$rc"
expect_rc $n 0
expect_out $n '^isv-fw: /Shell>/ at [0-9.]+ s'
expect_out $n '^isv: audit: clean: no access without a valid syndrome, no sign-extending MMIO load'
expect_out $n '^isv: stats:   device cfi-flash@4000000 +reads [1-9][0-9]*, writes [1-9]'
expect_cmd $n "tests/integration/trace-check.py --firmware Shell\\> \$EXPORT/fw-trace.txt \$OUT"
expect_cmd $n "grep -Eq ' cpu0 mmio W [124] 0x4[0-9a-f]+ cfi-flash@4000000\+0x[0-9a-f]+ 0x[0-9a-f]+ 0x[0-9a-f]+$' \$EXPORT/fw-trace.txt"

# 5: bad firmware files and stores: one line each, exit 1, before the guest runs.
vmm_case bad-bios-missing 20 "bin/isv --bios efi/nope.fd"
expect_rc bad-bios-missing 1
expect_out bad-bios-missing "^isv: error: --bios 'efi/nope.fd': No such file or directory$"
vmm_case bad-bios-big 20 "truncate -s 65M /tmp/big.fd; bin/isv --bios /tmp/big.fd; rc=\$?; rm -f /tmp/big.fd; exit \$rc"
expect_rc bad-bios-big 1
expect_out bad-bios-big "^isv: error: --bios '/tmp/big.fd': 68157440 bytes do not fit in the 64 MiB flash bank$"
vmm_case bad-uefi-vars-size 20 "truncate -s 1M /tmp/small-vars.fd; bin/isv --bios efi/QEMU_EFI.fd --uefi-vars /tmp/small-vars.fd"
expect_rc bad-uefi-vars-size 1
expect_out bad-uefi-vars-size "^isv: error: --uefi-vars '/tmp/small-vars.fd': 1048576 bytes, but the flash bank is 67108864 \\(64 MiB, like Debian's AAVMF_VARS.fd\\)$"
vmm_case bad-uefi-vars-template 20 "rm -f /tmp/no-vars.fd; bin/isv --bios efi/QEMU_EFI.fd --uefi-vars /tmp/no-vars.fd,template=efi/nope.fd"
expect_rc bad-uefi-vars-template 1
expect_out bad-uefi-vars-template "^isv: error: --uefi-vars '/tmp/no-vars.fd' does not exist, and its template 'efi/nope.fd' cannot be read \\(No such file or directory\\): install qemu-efi-aarch64 or give template=PATH$"
