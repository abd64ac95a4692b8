/* switch.h: the one place that fixes the layout of a saved lightweight-thread context.
 *
 * Included by C (stack.c, sched.c, switch_ucontext.c) and by the per-arch switch.S files,
 * so the constants are plain #defines; the C half checks them with static_assert(offsetof)
 * against the structs below (the role Go's go_asm.h plays).
 *
 * A saved context is just a stack pointer (LangCtx.sp). lang_ctx_switch pushes the
 * callee-saved registers onto the current stack in the LangSwitchFrame layout, stores sp
 * into from->sp, loads to->sp and pops the same frame, then returns into the other thread.
 * A new thread gets a hand-built LangSwitchFrame whose return address is
 * lang_ctx_trampoline, which calls entry(arg) from the saved registers and never returns.
 *
 * With -DLANG_UCONTEXT the switch is swapcontext (switch_ucontext.c) and the .S files
 * assemble to nothing.
 */
#ifndef LANG_SWITCH_H
#define LANG_SWITCH_H

#define LANG_CTX_SP 0 /* offsetof(LangCtx, sp) */

#if defined(__x86_64__)
/* x86-64 SysV: rbx rbp r12-r15 are callee-saved, plus MXCSR control bits and the x87
 * control word. The frame is 64 bytes; the saved sp is 16-byte aligned. */
#define LANG_FRAME_FPCTL 0   /* u32 mxcsr, u16 x87 control word, u16 pad */
#define LANG_FRAME_R15 8
#define LANG_FRAME_R14 16
#define LANG_FRAME_R13 24    /* new thread: arg */
#define LANG_FRAME_R12 32    /* new thread: entry */
#define LANG_FRAME_RBX 40
#define LANG_FRAME_RBP 48    /* new thread: 0, ends the frame-pointer chain */
#define LANG_FRAME_RET 56    /* new thread: lang_ctx_trampoline */
#define LANG_FRAME_SIZE 64
#elif defined(__aarch64__)
/* AArch64 AAPCS64: x19-x28, x29 (fp), x30 (lr) and the low halves of v8-v15 (d8-d15). */
#define LANG_FRAME_X19 0     /* new thread: entry */
#define LANG_FRAME_X20 8     /* new thread: arg */
#define LANG_FRAME_X29 80    /* new thread: 0 */
#define LANG_FRAME_X30 88    /* new thread: lang_ctx_trampoline */
#define LANG_FRAME_D8 96
#define LANG_FRAME_SIZE 160
#endif

#ifndef __ASSEMBLER__
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct LangCtx {
    void *sp;      /* saved stack pointer; valid only while the context is switched out */
#ifdef LANG_UCONTEXT
    void *uc;      /* ucontext_t * */
#endif
} LangCtx;
static_assert(offsetof(LangCtx, sp) == LANG_CTX_SP, "LangCtx.sp offset");

#if defined(__x86_64__)
typedef struct LangSwitchFrame {
    uint32_t mxcsr;
    uint16_t x87cw, pad;
    uint64_t r15, r14, r13, r12, rbx, rbp, ret;
} LangSwitchFrame;
static_assert(offsetof(LangSwitchFrame, mxcsr) == LANG_FRAME_FPCTL, "frame");
static_assert(offsetof(LangSwitchFrame, r15) == LANG_FRAME_R15, "frame");
static_assert(offsetof(LangSwitchFrame, r14) == LANG_FRAME_R14, "frame");
static_assert(offsetof(LangSwitchFrame, r13) == LANG_FRAME_R13, "frame");
static_assert(offsetof(LangSwitchFrame, r12) == LANG_FRAME_R12, "frame");
static_assert(offsetof(LangSwitchFrame, rbx) == LANG_FRAME_RBX, "frame");
static_assert(offsetof(LangSwitchFrame, rbp) == LANG_FRAME_RBP, "frame");
static_assert(offsetof(LangSwitchFrame, ret) == LANG_FRAME_RET, "frame");
static_assert(sizeof(LangSwitchFrame) == LANG_FRAME_SIZE, "frame");
#elif defined(__aarch64__)
typedef struct LangSwitchFrame {
    uint64_t x19, x20, x21, x22, x23, x24, x25, x26, x27, x28, x29, x30;
    uint64_t d8, d9, d10, d11, d12, d13, d14, d15;
} LangSwitchFrame;
static_assert(offsetof(LangSwitchFrame, x19) == LANG_FRAME_X19, "frame");
static_assert(offsetof(LangSwitchFrame, x20) == LANG_FRAME_X20, "frame");
static_assert(offsetof(LangSwitchFrame, x29) == LANG_FRAME_X29, "frame");
static_assert(offsetof(LangSwitchFrame, x30) == LANG_FRAME_X30, "frame");
static_assert(offsetof(LangSwitchFrame, d8) == LANG_FRAME_D8, "frame");
static_assert(sizeof(LangSwitchFrame) == LANG_FRAME_SIZE, "frame");
#endif

/* Saves the callee-saved registers of the running code into *from and resumes *to. Returns
 * when some other context switches back to *from. */
void lang_ctx_switch(LangCtx *from, LangCtx *to);
/* Prepares *c so that switching to it runs entry(arg) on the stack [lo, lo+size).
 * entry must never return (it switches away for the last time instead). */
void lang_ctx_make(LangCtx *c, void *lo, size_t size, void (*entry)(void *), void *arg);
/* Prepares *c to receive the state of an existing (OS) stack, e.g. a worker's own stack. */
void lang_ctx_init_host(LangCtx *c);
void lang_ctx_free(LangCtx *c);

#ifdef __cplusplus
}
#endif
#endif /* __ASSEMBLER__ */
#endif
