/* PL011 register map and bit fields (Arm DDI0183, PrimeCell UART r1p5). */
#ifndef ISV_DEVICES_PL011_REGS_H
#define ISV_DEVICES_PL011_REGS_H

enum {
    PL011_DR = 0x000,
    PL011_RSR = 0x004, /* read: receive status; write: error clear (ECR) */
    PL011_FR = 0x018,
    PL011_ILPR = 0x020,
    PL011_IBRD = 0x024,
    PL011_FBRD = 0x028,
    PL011_LCR_H = 0x02c,
    PL011_CR = 0x030,
    PL011_IFLS = 0x034,
    PL011_IMSC = 0x038,
    PL011_RIS = 0x03c,
    PL011_MIS = 0x040,
    PL011_ICR = 0x044,
    PL011_DMACR = 0x048,
    PL011_PERIPHID0 = 0xfe0, /* PeriphID0-3 at 0xfe0..0xfec, PCellID0-3 at 0xff0..0xffc */
    PL011_PCELLID0 = 0xff0,
};

/* DR (read): error bits above the data byte. */
enum {
    PL011_DR_FE = 1u << 8,
    PL011_DR_PE = 1u << 9,
    PL011_DR_BE = 1u << 10,
    PL011_DR_OE = 1u << 11,
};

/* RSR: the same four errors, shifted down by 8. */
enum {
    PL011_RSR_FE = 1u << 0,
    PL011_RSR_PE = 1u << 1,
    PL011_RSR_BE = 1u << 2,
    PL011_RSR_OE = 1u << 3,
};

enum {
    PL011_FR_CTS = 1u << 0,
    PL011_FR_DSR = 1u << 1,
    PL011_FR_DCD = 1u << 2,
    PL011_FR_BUSY = 1u << 3,
    PL011_FR_RXFE = 1u << 4,
    PL011_FR_TXFF = 1u << 5,
    PL011_FR_RXFF = 1u << 6,
    PL011_FR_TXFE = 1u << 7,
    PL011_FR_RI = 1u << 8,
};

enum {
    PL011_LCRH_BRK = 1u << 0,
    PL011_LCRH_PEN = 1u << 1,
    PL011_LCRH_EPS = 1u << 2,
    PL011_LCRH_STP2 = 1u << 3,
    PL011_LCRH_FEN = 1u << 4,
    PL011_LCRH_WLEN_5 = 0u << 5,
    PL011_LCRH_WLEN_6 = 1u << 5,
    PL011_LCRH_WLEN_7 = 2u << 5,
    PL011_LCRH_WLEN_8 = 3u << 5,
    PL011_LCRH_SPS = 1u << 7,
};

enum {
    PL011_CR_UARTEN = 1u << 0,
    PL011_CR_SIREN = 1u << 1,
    PL011_CR_SIRLP = 1u << 2,
    PL011_CR_LBE = 1u << 7,
    PL011_CR_TXE = 1u << 8,
    PL011_CR_RXE = 1u << 9,
    PL011_CR_DTR = 1u << 10,
    PL011_CR_RTS = 1u << 11,
    PL011_CR_OUT1 = 1u << 12,
    PL011_CR_OUT2 = 1u << 13,
    PL011_CR_RTSEN = 1u << 14,
    PL011_CR_CTSEN = 1u << 15,
};

/* IMSC / RIS / MIS / ICR bits. */
enum {
    PL011_INT_RIM = 1u << 0,
    PL011_INT_CTSM = 1u << 1,
    PL011_INT_DCDM = 1u << 2,
    PL011_INT_DSRM = 1u << 3,
    PL011_INT_RX = 1u << 4,
    PL011_INT_TX = 1u << 5,
    PL011_INT_RT = 1u << 6,
    PL011_INT_FE = 1u << 7,
    PL011_INT_PE = 1u << 8,
    PL011_INT_BE = 1u << 9,
    PL011_INT_OE = 1u << 10,
    PL011_INT_ALL = 0x7ffu,
};

enum {
    PL011_DMACR_RXDMAE = 1u << 0,
    PL011_DMACR_TXDMAE = 1u << 1,
    PL011_DMACR_DMAONERR = 1u << 2,
};

#endif
