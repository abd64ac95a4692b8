/* switch.S (x86-64 SysV): the lightweight-thread context switch and start trampoline.
 * Frame layout and offsets: src/rt/switch.h. Only callee-saved state is saved; everything
 * else is dead across a call by the ABI. Assembles to nothing with -DLANG_UCONTEXT. */
#include "../../switch.h"
#ifndef LANG_UCONTEXT
        .text

/* void lang_ctx_switch(LangCtx *from, LangCtx *to);   rdi = from, rsi = to */
        .globl  lang_ctx_switch
        .type   lang_ctx_switch, @function
        .p2align 4
lang_ctx_switch:
        .cfi_startproc
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        subq    $8, %rsp
        stmxcsr LANG_FRAME_FPCTL(%rsp)
        fnstcw  LANG_FRAME_FPCTL+4(%rsp)
        movq    %rsp, LANG_CTX_SP(%rdi)
        movq    LANG_CTX_SP(%rsi), %rsp
        ldmxcsr LANG_FRAME_FPCTL(%rsp)
        fldcw   LANG_FRAME_FPCTL+4(%rsp)
        addq    $8, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .cfi_endproc
        .size   lang_ctx_switch, .-lang_ctx_switch

/* First code of a new thread, reached by lang_ctx_switch's `ret`.
 * r12 = void (*entry)(void *arg), r13 = arg, rbp = 0; rsp is 16-byte aligned here.
 * entry never returns. */
        .globl  lang_ctx_trampoline
        .type   lang_ctx_trampoline, @function
        .p2align 4
lang_ctx_trampoline:
        .cfi_startproc
        .cfi_undefined rip
        movq    %r13, %rdi
        callq   *%r12
        ud2
        .cfi_endproc
        .size   lang_ctx_trampoline, .-lang_ctx_trampoline
#endif
        .section .note.GNU-stack,"",@progbits
