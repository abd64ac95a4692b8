# x64.s: encoder test vectors. One Intel-syntax instruction per line; the trailing
# comment holds the bytes llvm-mc produces (tools/bless-encodings rewrites them).
# test/unit/test_x64_encode.cpp encodes each line with our encoder and compares.
add rax, 16                                  # 48 83 c0 10
add rax, 1000                                # 48 05 e8 03 00 00
add eax, 1000                                # 05 e8 03 00 00
add rcx, 1000                                # 48 81 c1 e8 03 00 00
add rcx, rdx                                 # 48 01 d1
add r8, r15                                  # 4d 01 f8
add ecx, r9d                                 # 44 01 c9
add rax, qword ptr [rbp - 8]                 # 48 03 45 f8
add qword ptr [rsp + 8], rax                 # 48 01 44 24 08
add qword ptr [rbx], 1                       # 48 83 03 01
add al, 5                                    # 04 05
add sil, dil                                 # 40 00 fe
sub rsp, 32                                  # 48 83 ec 20
sub rsp, 256                                 # 48 81 ec 00 01 00 00
sub r12, r13                                 # 4d 29 ec
sub rax, -1                                  # 48 83 e8 ff
and eax, 255                                 # 25 ff 00 00 00
and rcx, -16                                 # 48 83 e1 f0
or rdx, rax                                  # 48 09 c2
or al, cl                                    # 08 c8
xor eax, eax                                 # 31 c0
xor r10, r11                                 # 4d 31 da
cmp rax, 0                                   # 48 83 f8 00
cmp rdi, 1000000                             # 48 81 ff 40 42 0f 00
cmp dil, 10                                  # 40 80 ff 0a
cmp cl, 200                                  # 80 f9 c8
cmp ax, bx                                   # 66 39 d8
cmp r9d, 7                                   # 41 83 f9 07
cmp byte ptr [rax + 4], 0                    # 80 78 04 00
cmp qword ptr [rbp - 16], rcx                # 48 39 4d f0
cmp dword ptr [rip + lang_preempt_pending], 0 # 83 3d 00 00 00 00 00
test rax, rax                                # 48 85 c0
test al, al                                  # 84 c0
test dil, dil                                # 40 84 ff
test r8b, r8b                                # 45 84 c0
test eax, 1                                  # a9 01 00 00 00
mov rax, rcx                                 # 48 89 c8
mov r15, rsp                                 # 49 89 e7
mov eax, ecx                                 # 89 c8
mov ax, cx                                   # 66 89 c8
mov al, cl                                   # 88 c8
mov rax, 16                                  # 48 c7 c0 10 00 00 00
mov eax, 16                                  # b8 10 00 00 00
mov rax, -1                                  # 48 c7 c0 ff ff ff ff
mov rax, 1234567890123                       # 48 b8 cb 04 fb 71 1f 01 00 00
mov r11, 4294967295                          # 49 bb ff ff ff ff 00 00 00 00
mov r11d, 4294967295                         # 41 bb ff ff ff ff
mov rax, qword ptr [rbp - 8]                 # 48 8b 45 f8
mov rax, qword ptr [rbp + 16]                # 48 8b 45 10
mov rax, qword ptr [rsp]                     # 48 8b 04 24
mov rax, qword ptr [rsp + 8]                 # 48 8b 44 24 08
mov rax, qword ptr [r12]                     # 49 8b 04 24
mov rax, qword ptr [r13]                     # 49 8b 45 00
mov rax, qword ptr [r13 + 200]               # 49 8b 85 c8 00 00 00
mov rax, qword ptr [rbx + rcx*8]             # 48 8b 04 cb
mov rax, qword ptr [rbx + rcx*8 + 16]        # 48 8b 44 cb 10
mov rax, qword ptr [r8 + r9*4 - 300]         # 4b 8b 84 88 d4 fe ff ff
mov qword ptr [rbp - 8], rax                 # 48 89 45 f8
mov dword ptr [rbp - 4], eax                 # 89 45 fc
mov word ptr [rdi + 2], si                   # 66 89 77 02
mov byte ptr [rdi], sil                      # 40 88 37
mov byte ptr [rdi], 7                        # c6 07 07
mov qword ptr [rsp + 8], 5                   # 48 c7 44 24 08 05 00 00 00
mov dword ptr [rax], 1000                    # c7 00 e8 03 00 00
mov word ptr [rax], 1000                     # 66 c7 00 e8 03
mov rax, qword ptr [rip + foo]               # 48 8b 05 00 00 00 00
lea rdi, [rip + foo]                         # 48 8d 3d 00 00 00 00
movsd xmm0, qword ptr [rip + foo]            # f2 0f 10 05 00 00 00 00
movzx eax, al                                # 0f b6 c0
movzx eax, sil                               # 40 0f b6 c6
movzx ecx, word ptr [rdi]                    # 0f b7 0f
movzx eax, byte ptr [rbp - 1]                # 0f b6 45 ff
movzx rax, byte ptr [rdi]                    # 48 0f b6 07
movsx eax, cl                                # 0f be c1
movsx rax, cl                                # 48 0f be c1
movsx rax, word ptr [rdi + 2]                # 48 0f bf 47 02
movsxd rax, ecx                              # 48 63 c1
movsxd r8, dword ptr [rdi]                   # 4c 63 07
lea rax, [rbp - 24]                          # 48 8d 45 e8
lea rax, [rdi + rsi]                         # 48 8d 04 37
lea rax, [rdi + 8]                           # 48 8d 47 08
lea eax, [rdi - 1]                           # 8d 47 ff
lea rsp, [rbp - 16]                          # 48 8d 65 f0
lea r12, [r13 + r14*2 + 100]                 # 4f 8d 64 75 64
imul rax, rcx                                # 48 0f af c1
imul eax, r10d                               # 41 0f af c2
imul rax, rcx, 10                            # 48 6b c1 0a
imul rax, rcx, 1000                          # 48 69 c1 e8 03 00 00
imul r9, qword ptr [rbp - 8], 3              # 4c 6b 4d f8 03
idiv rcx                                     # 48 f7 f9
idiv ecx                                     # f7 f9
idiv qword ptr [rbp - 8]                     # 48 f7 7d f8
div r8                                       # 49 f7 f0
div esi                                      # f7 f6
neg rax                                      # 48 f7 d8
neg r11d                                     # 41 f7 db
not rdx                                      # 48 f7 d2
cqo                                          # 48 99
cdq                                          # 99
shl rax, 1                                   # 48 d1 e0
shl rax, 3                                   # 48 c1 e0 03
shl eax, cl                                  # d3 e0
shl r9, cl                                   # 49 d3 e1
shr rdx, 63                                  # 48 c1 ea 3f
shr esi, 1                                   # d1 ee
sar rax, cl                                  # 48 d3 f8
sar r12, 4                                   # 49 c1 fc 04
sete al                                      # 0f 94 c0
setne cl                                     # 0f 95 c1
setl dil                                     # 40 0f 9c c7
setg r8b                                     # 41 0f 9f c0
setb al                                      # 0f 92 c0
setae r11b                                   # 41 0f 93 c3
setp al                                      # 0f 9a c0
setnp cl                                     # 0f 9b c1
seto al                                      # 0f 90 c0
cmove rax, rcx                               # 48 0f 44 c1
cmovl eax, edx                               # 0f 4c c2
cmovs r8, r9                                 # 4d 0f 48 c1
cmovne rax, qword ptr [rbp - 8]              # 48 0f 45 45 f8
jmp rax                                      # ff e0
jmp r11                                      # 41 ff e3
call rax                                     # ff d0
call r11                                     # 41 ff d3
call qword ptr [rax + 8]                     # ff 50 08
ret                                          # c3
ud2                                          # 0f 0b
int3                                         # cc
push rbp                                     # 55
push rbx                                     # 53
push r12                                     # 41 54
push r15                                     # 41 57
pop rbp                                      # 5d
pop r15                                      # 41 5f
movsd xmm0, xmm1                             # f2 0f 10 c1
movsd xmm8, xmm15                            # f2 45 0f 10 c7
movsd xmm0, qword ptr [rbp - 8]              # f2 0f 10 45 f8
movsd qword ptr [rsp], xmm1                  # f2 0f 11 0c 24
movsd qword ptr [rbp + 24], xmm10            # f2 44 0f 11 55 18
movss xmm0, xmm1                             # f3 0f 10 c1
movss xmm2, dword ptr [rdi + 4]              # f3 0f 10 57 04
movss dword ptr [rdi], xmm3                  # f3 0f 11 1f
movaps xmm0, xmm1                            # 0f 28 c1
movaps xmm14, xmm2                           # 44 0f 28 f2
movq xmm0, rax                               # 66 48 0f 6e c0
movq rax, xmm0                               # 66 48 0f 7e c0
movq xmm9, r10                               # 66 4d 0f 6e ca
movq r15, xmm15                              # 66 4d 0f 7e ff
movd xmm0, eax                               # 66 0f 6e c0
movd eax, xmm1                               # 66 0f 7e c8
addsd xmm0, xmm1                             # f2 0f 58 c1
addsd xmm0, qword ptr [rbp - 8]              # f2 0f 58 45 f8
subsd xmm2, xmm3                             # f2 0f 5c d3
mulsd xmm4, xmm12                            # f2 41 0f 59 e4
divsd xmm5, xmm6                             # f2 0f 5e ee
sqrtsd xmm0, xmm0                            # f2 0f 51 c0
sqrtsd xmm9, xmm2                            # f2 44 0f 51 ca
sqrtss xmm1, xmm12                           # f3 41 0f 51 cc
roundsd xmm0, xmm1, 9                        # 66 0f 3a 0b c1 09
roundsd xmm10, xmm3, 10                      # 66 44 0f 3a 0b d3 0a
roundsd xmm2, xmm15, 8                       # 66 41 0f 3a 0b d7 08
roundss xmm4, xmm5, 9                        # 66 0f 3a 0a e5 09
addss xmm0, xmm1                             # f3 0f 58 c1
subss xmm0, xmm1                             # f3 0f 5c c1
mulss xmm0, xmm1                             # f3 0f 59 c1
divss xmm9, xmm1                             # f3 44 0f 5e c9
ucomisd xmm0, xmm1                           # 66 0f 2e c1
ucomisd xmm8, qword ptr [rax]                # 66 44 0f 2e 00
ucomiss xmm0, xmm1                           # 0f 2e c1
cvtsi2sd xmm0, rax                           # f2 48 0f 2a c0
cvtsi2sd xmm0, eax                           # f2 0f 2a c0
cvtsi2sd xmm9, r12                           # f2 4d 0f 2a cc
cvtsi2ss xmm0, rax                           # f3 48 0f 2a c0
cvtsi2ss xmm1, ecx                           # f3 0f 2a c9
cvttsd2si rax, xmm0                          # f2 48 0f 2c c0
cvttsd2si eax, xmm1                          # f2 0f 2c c1
cvttss2si rax, xmm0                          # f3 48 0f 2c c0
cvttss2si r8d, xmm11                         # f3 45 0f 2c c3
cvtss2sd xmm0, xmm1                          # f3 0f 5a c1
cvtsd2ss xmm0, xmm1                          # f2 0f 5a c1
xorpd xmm0, xmm0                             # 66 0f 57 c0
xorpd xmm0, xmm15                            # 66 41 0f 57 c7
xorps xmm1, xmm2                             # 0f 57 ca
call foo                                     # e8 00 00 00 00
