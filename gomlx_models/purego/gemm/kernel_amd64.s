//go:build amd64 && !purego

#include "textflag.h"

// One depth step of the 6×16 kernel. Registers:
//   AX: A at the current depth; row r is at AX + r*ars, using R8 = ars, R9 = 3*ars,
//       R11 = 5*ars (bytes); R10 = aks (bytes) advances one depth step.
//   BX: B at the current depth (16 contiguous floats); R12 = bks (bytes).
//   Y0..Y11: the tile, row r in Y(2r) (columns 0-7) and Y(2r+1) (columns 8-15).
//   Y12, Y13: B row; Y14, Y15: broadcast A values (alternating to overlap loads and FMAs).
#define STEP \
	VMOVUPS      (BX), Y12;            \
	VMOVUPS      32(BX), Y13;          \
	VBROADCASTSS (AX), Y14;            \
	VFMADD231PS  Y12, Y14, Y0;         \
	VFMADD231PS  Y13, Y14, Y1;         \
	VBROADCASTSS (AX)(R8*1), Y15;      \
	VFMADD231PS  Y12, Y15, Y2;         \
	VFMADD231PS  Y13, Y15, Y3;         \
	VBROADCASTSS (AX)(R8*2), Y14;      \
	VFMADD231PS  Y12, Y14, Y4;         \
	VFMADD231PS  Y13, Y14, Y5;         \
	VBROADCASTSS (AX)(R9*1), Y15;      \
	VFMADD231PS  Y12, Y15, Y6;         \
	VFMADD231PS  Y13, Y15, Y7;         \
	VBROADCASTSS (AX)(R8*4), Y14;      \
	VFMADD231PS  Y12, Y14, Y8;         \
	VFMADD231PS  Y13, Y14, Y9;         \
	VBROADCASTSS (AX)(R11*1), Y15;     \
	VFMADD231PS  Y12, Y15, Y10;        \
	VFMADD231PS  Y13, Y15, Y11;        \
	ADDQ         R10, AX;              \
	ADDQ         R12, BX

// Store (or add, ACC) one tile row held in lo, hi to DI, then advance DI by one C row (SI).
#define STOREROW(lo, hi) \
	VMOVUPS lo, (DI);    \
	VMOVUPS hi, 32(DI);  \
	ADDQ    SI, DI

#define ADDROW(lo, hi)      \
	VADDPS  (DI), lo, lo;   \
	VADDPS  32(DI), hi, hi; \
	VMOVUPS lo, (DI);       \
	VMOVUPS hi, 32(DI);     \
	ADDQ    SI, DI

// func kernel6x16AVX2(kc int, a *float32, ars, aks int, b *float32, bks int, c *float32, ldc int, accum bool)
TEXT ·kernel6x16AVX2(SB), NOSPLIT, $0-65
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ ars+16(FP), R8
	MOVQ aks+24(FP), R10
	MOVQ b+32(FP), BX
	MOVQ bks+40(FP), R12
	MOVQ c+48(FP), DI
	MOVQ ldc+56(FP), SI
	SHLQ $2, R8
	SHLQ $2, R10
	SHLQ $2, R12
	SHLQ $2, SI
	LEAQ (R8)(R8*2), R9
	LEAQ (R8)(R8*4), R11

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

	// Prefetch the C tile rows (both cache lines of each 64-byte row, which need not be
	// aligned): they are written after the loop.
	MOVQ       DI, DX
	PREFETCHT0 (DX)
	PREFETCHT0 63(DX)
	ADDQ       SI, DX
	PREFETCHT0 (DX)
	PREFETCHT0 63(DX)
	ADDQ       SI, DX
	PREFETCHT0 (DX)
	PREFETCHT0 63(DX)
	ADDQ       SI, DX
	PREFETCHT0 (DX)
	PREFETCHT0 63(DX)
	ADDQ       SI, DX
	PREFETCHT0 (DX)
	PREFETCHT0 63(DX)
	ADDQ       SI, DX
	PREFETCHT0 (DX)
	PREFETCHT0 63(DX)

	// DX = kc/4 unrolled iterations, CX = kc%4 single steps.
	MOVQ CX, DX
	SHRQ $2, DX
	ANDQ $3, CX
	TESTQ DX, DX
	JZ   tail

loop4:
	STEP
	STEP
	STEP
	STEP
	DECQ DX
	JNZ  loop4

tail:
	TESTQ CX, CX
	JZ    done

loop1:
	STEP
	DECQ CX
	JNZ  loop1

done:
	CMPB accum+64(FP), $0
	JEQ  store
	ADDROW(Y0, Y1)
	ADDROW(Y2, Y3)
	ADDROW(Y4, Y5)
	ADDROW(Y6, Y7)
	ADDROW(Y8, Y9)
	ADDROW(Y10, Y11)
	VZEROUPPER
	RET

store:
	STOREROW(Y0, Y1)
	STOREROW(Y2, Y3)
	STOREROW(Y4, Y5)
	STOREROW(Y6, Y7)
	STOREROW(Y8, Y9)
	STOREROW(Y10, Y11)
	VZEROUPPER
	RET
