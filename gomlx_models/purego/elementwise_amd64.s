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
