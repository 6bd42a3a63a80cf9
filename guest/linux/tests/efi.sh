# Booted through UEFI (--bios): what Linux took from the firmware. The EFI
# stub's memory map and runtime services, and the variables EDK2 keeps in
# isv's CFI flash, read back through efivarfs when the kernel has it.
. /tests/lib.sh
if [ -d /sys/firmware/efi ]; then say "efi: booted through UEFI"; else say "efi: not booted through UEFI"; fi
say "efi: fw_platform_size $(cat /sys/firmware/efi/fw_platform_size 2>/dev/null || echo none)"
dmesg | sed -n 's/^\[[^]]*\] efi: \(EFI v.*\)$/isv-linux: efi: \1/p' | head -n1
dmesg | grep -q 'Remapping and enabling EFI services' && say "efi: runtime services enabled"
say "efi: cmdline $(cat /proc/cmdline)"
if mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null; then
    say "efi: efivars $(ls /sys/firmware/efi/efivars | wc -l)"
    umount /sys/firmware/efi/efivars
else
    say "efi: efivarfs not available"
fi
# The disk the firmware booted from, now through Linux's own virtio-blk driver.
wait_for /dev/vda && say "efi: vda $(cat /sys/block/vda/size) sectors, first bytes $(od -An -N3 -tx1 /dev/vda | tr -d ' ')"
