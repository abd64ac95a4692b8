/* switch.S (AArch64 AAPCS64): the lightweight-thread context switch and start trampoline.
 * Frame layout and offsets: src/rt/switch.h. Saves x19-x30 and d8-d15 only.
 * Assembles to nothing with -DLANG_UCONTEXT. */
#include "../../switch.h"
#ifndef LANG_UCONTEXT
        .text

/* void lang_ctx_switch(LangCtx *from, LangCtx *to);   x0 = from, x1 = to */
        .globl  lang_ctx_switch
        .type   lang_ctx_switch, %function
        .p2align 4
lang_ctx_switch:
        sub     sp, sp, #LANG_FRAME_SIZE
        stp     x19, x20, [sp, #0]
        stp     x21, x22, [sp, #16]
        stp     x23, x24, [sp, #32]
        stp     x25, x26, [sp, #48]
        stp     x27, x28, [sp, #64]
        stp     x29, x30, [sp, #LANG_FRAME_X29]
        stp     d8, d9, [sp, #LANG_FRAME_D8]
        stp     d10, d11, [sp, #LANG_FRAME_D8+16]
        stp     d12, d13, [sp, #LANG_FRAME_D8+32]
        stp     d14, d15, [sp, #LANG_FRAME_D8+48]
        mov     x9, sp
        str     x9, [x0, #LANG_CTX_SP]
        ldr     x9, [x1, #LANG_CTX_SP]
        mov     sp, x9
        ldp     x19, x20, [sp, #0]
        ldp     x21, x22, [sp, #16]
        ldp     x23, x24, [sp, #32]
        ldp     x25, x26, [sp, #48]
        ldp     x27, x28, [sp, #64]
        ldp     x29, x30, [sp, #LANG_FRAME_X29]
        ldp     d8, d9, [sp, #LANG_FRAME_D8]
        ldp     d10, d11, [sp, #LANG_FRAME_D8+16]
        ldp     d12, d13, [sp, #LANG_FRAME_D8+32]
        ldp     d14, d15, [sp, #LANG_FRAME_D8+48]
        add     sp, sp, #LANG_FRAME_SIZE
        ret
        .size   lang_ctx_switch, .-lang_ctx_switch

/* First code of a new thread, reached by lang_ctx_switch's `ret`.
 * x19 = void (*entry)(void *arg), x20 = arg, x29 = 0. entry never returns. */
        .globl  lang_ctx_trampoline
        .type   lang_ctx_trampoline, %function
        .p2align 4
lang_ctx_trampoline:
        mov     x0, x20
        blr     x19
        brk     #0
        .size   lang_ctx_trampoline, .-lang_ctx_trampoline
#endif
        .section .note.GNU-stack,"",%progbits
