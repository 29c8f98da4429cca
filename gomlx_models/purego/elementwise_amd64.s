#include "textflag.h"

// AVX2 loops for float32 Add, Sub, Mul and Div (elementwise_simd.go). Every lane computes
// the same IEEE single-precision operation as purego's scalar Go loop (no FMA, no
// reordering); the first source operand is the one that loop's ADDSS/SUBSS/MULSS/DIVSS
// has as its destination, so that when both operands are NaN the same payload survives.

// VV: out[i] = x[i] OP y[i], first source x, for i < len(out).
#define VV(name, VOPPS, VOPSS) \
TEXT name(SB), NOSPLIT, $0-72 \
	MOVQ x_base+0(FP), SI \
	MOVQ y_base+24(FP), DX \
	MOVQ out_base+48(FP), DI \
	MOVQ out_len+56(FP), CX \
	XORQ AX, AX \
	MOVQ CX, BX \
	ANDQ $-16, BX \
loop16: \
	CMPQ AX, BX \
	JGE tail \
	VMOVUPS (SI)(AX*4), Y0 \
	VMOVUPS 32(SI)(AX*4), Y1 \
	VOPPS (DX)(AX*4), Y0, Y2 \
	VOPPS 32(DX)(AX*4), Y1, Y3 \
	VMOVUPS Y2, (DI)(AX*4) \
	VMOVUPS Y3, 32(DI)(AX*4) \
	ADDQ $16, AX \
	JMP loop16 \
tail: \
	CMPQ AX, CX \
	JGE done \
	VMOVSS (SI)(AX*4), X0 \
	VOPSS (DX)(AX*4), X0, X2 \
	VMOVSS X2, (DI)(AX*4) \
	INCQ AX \
	JMP tail \
done: \
	VZEROUPPER \
	RET

// XS: out[i] = x[i] OP c, first source x[i].
#define XS(name, VOPPS, VOPSS) \
TEXT name(SB), NOSPLIT, $0-56 \
	MOVQ x_base+0(FP), SI \
	VBROADCASTSS c+24(FP), Y4 \
	MOVQ out_base+32(FP), DI \
	MOVQ out_len+40(FP), CX \
	XORQ AX, AX \
	MOVQ CX, BX \
	ANDQ $-16, BX \
loop16: \
	CMPQ AX, BX \
	JGE tail \
	VMOVUPS (SI)(AX*4), Y0 \
	VMOVUPS 32(SI)(AX*4), Y1 \
	VOPPS Y4, Y0, Y2 \
	VOPPS Y4, Y1, Y3 \
	VMOVUPS Y2, (DI)(AX*4) \
	VMOVUPS Y3, 32(DI)(AX*4) \
	ADDQ $16, AX \
	JMP loop16 \
tail: \
	CMPQ AX, CX \
	JGE done \
	VMOVSS (SI)(AX*4), X0 \
	VOPSS X4, X0, X2 \
	VMOVSS X2, (DI)(AX*4) \
	INCQ AX \
	JMP tail \
done: \
	VZEROUPPER \
	RET

// SX: out[i] = c OP x[i], first source c.
#define SX(name, VOPPS, VOPSS) \
TEXT name(SB), NOSPLIT, $0-56 \
	MOVQ x_base+0(FP), SI \
	VBROADCASTSS c+24(FP), Y4 \
	MOVQ out_base+32(FP), DI \
	MOVQ out_len+40(FP), CX \
	XORQ AX, AX \
	MOVQ CX, BX \
	ANDQ $-16, BX \
loop16: \
	CMPQ AX, BX \
	JGE tail \
	VOPPS (SI)(AX*4), Y4, Y2 \
	VOPPS 32(SI)(AX*4), Y4, Y3 \
	VMOVUPS Y2, (DI)(AX*4) \
	VMOVUPS Y3, 32(DI)(AX*4) \
	ADDQ $16, AX \
	JMP loop16 \
tail: \
	CMPQ AX, CX \
	JGE done \
	VOPSS (SI)(AX*4), X4, X2 \
	VMOVSS X2, (DI)(AX*4) \
	INCQ AX \
	JMP tail \
done: \
	VZEROUPPER \
	RET

VV(·addVV32, VADDPS, VADDSS)
VV(·subVV32, VSUBPS, VSUBSS)
VV(·mulVV32, VMULPS, VMULSS)
VV(·divVV32, VDIVPS, VDIVSS)
XS(·addXS32, VADDPS, VADDSS)
XS(·subXS32, VSUBPS, VSUBSS)
XS(·mulXS32, VMULPS, VMULSS)
XS(·divXS32, VDIVPS, VDIVSS)
SX(·subSX32, VSUBPS, VSUBSS)
SX(·divSX32, VDIVPS, VDIVSS)

// func signV32(x, out []float32): out[i] = Sign(x[i]) for i < len(out)&^7 with the integer
// selects of signRun: ±1 with x's sign, +0 for ±0 and NaN.
TEXT ·signV32(SB), NOSPLIT, $0-48
	MOVQ x_base+0(FP), SI
	MOVQ out_base+24(FP), DI
	MOVQ out_len+32(FP), CX
	ANDQ $-8, CX
	MOVL $0x80000000, AX
	MOVQ AX, X5
	VPBROADCASTD X5, Y5 // sign bit
	MOVL $0x3f800000, AX
	MOVQ AX, X6
	VPBROADCASTD X6, Y6 // 1.0
	MOVL $0x7f7fffff, AX
	MOVQ AX, X7
	VPBROADCASTD X7, Y7 // largest finite magnitude
	VPCMPEQD Y8, Y8, Y8 // -1 in every lane
	XORQ AX, AX
loop:
	CMPQ AX, CX
	JGE done
	VMOVDQU (SI)(AX*4), Y0
	VPAND Y5, Y0, Y1     // b & sign
	VPOR Y6, Y1, Y1      // ±1
	VPANDN Y0, Y5, Y2    // b &^ sign
	VPADDD Y8, Y2, Y2    // (b &^ sign) - 1, wrapping
	VPCMPGTD Y7, Y2, Y3  // > 0x7f7fffff: NaN (as unsigned ≥ 0x7f800000, below the wrap)
	VPCMPEQD Y8, Y2, Y4  // == -1: ±0
	VPOR Y4, Y3, Y3
	VPANDN Y1, Y3, Y1    // zero where NaN or ±0
	VMOVDQU Y1, (DI)(AX*4)
	ADDQ $8, AX
	JMP loop
done:
	VZEROUPPER
	RET
