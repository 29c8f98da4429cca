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

// One depth step of the 12×32 AVX-512 kernel. Registers:
//   AX: A rows 0-5 at the current depth, DX: A rows 6-11 (AX + 6*ars); row r of a half is at
//       +r*ars, using R8 = ars, R9 = 3*ars, R11 = 5*ars (bytes); R10 = aks (bytes).
//   BX: B at the current depth (32 contiguous floats); R12 = bks (bytes).
//   Z0..Z23: the tile, row r in Z(2r) (columns 0-15) and Z(2r+1) (columns 16-31).
//   Z24, Z25: B row; Z26..Z31: broadcast A values (rotating to overlap loads and FMAs).
// Each accumulator lane gets exactly the FMA chain of the 6×16 AVX2 kernel (same operand
// order, same depth order), so the two kernels give the same bits.
#define STEP512 \
	VMOVUPS      (BX), Z24;            \
	VMOVUPS      64(BX), Z25;          \
	VBROADCASTSS (AX), Z26;            \
	VBROADCASTSS (AX)(R8*1), Z27;      \
	VBROADCASTSS (AX)(R8*2), Z28;      \
	VFMADD231PS  Z24, Z26, Z0;         \
	VFMADD231PS  Z25, Z26, Z1;         \
	VBROADCASTSS (AX)(R9*1), Z29;      \
	VFMADD231PS  Z24, Z27, Z2;         \
	VFMADD231PS  Z25, Z27, Z3;         \
	VBROADCASTSS (AX)(R8*4), Z30;      \
	VFMADD231PS  Z24, Z28, Z4;         \
	VFMADD231PS  Z25, Z28, Z5;         \
	VBROADCASTSS (AX)(R11*1), Z31;     \
	VFMADD231PS  Z24, Z29, Z6;         \
	VFMADD231PS  Z25, Z29, Z7;         \
	VBROADCASTSS (DX), Z26;            \
	VFMADD231PS  Z24, Z30, Z8;         \
	VFMADD231PS  Z25, Z30, Z9;         \
	VBROADCASTSS (DX)(R8*1), Z27;      \
	VFMADD231PS  Z24, Z31, Z10;        \
	VFMADD231PS  Z25, Z31, Z11;        \
	VBROADCASTSS (DX)(R8*2), Z28;      \
	VFMADD231PS  Z24, Z26, Z12;        \
	VFMADD231PS  Z25, Z26, Z13;        \
	VBROADCASTSS (DX)(R9*1), Z29;      \
	VFMADD231PS  Z24, Z27, Z14;        \
	VFMADD231PS  Z25, Z27, Z15;        \
	VBROADCASTSS (DX)(R8*4), Z30;      \
	VFMADD231PS  Z24, Z28, Z16;        \
	VFMADD231PS  Z25, Z28, Z17;        \
	VBROADCASTSS (DX)(R11*1), Z31;     \
	VFMADD231PS  Z24, Z29, Z18;        \
	VFMADD231PS  Z25, Z29, Z19;        \
	VFMADD231PS  Z24, Z30, Z20;        \
	VFMADD231PS  Z25, Z30, Z21;        \
	VFMADD231PS  Z24, Z31, Z22;        \
	VFMADD231PS  Z25, Z31, Z23;        \
	ADDQ         R10, AX;              \
	ADDQ         R10, DX;              \
	ADDQ         R12, BX

// Store (or add) one 32-float tile row held in lo, hi to DI, then advance DI by one C row.
#define STOREROW512(lo, hi) \
	VMOVUPS lo, (DI);       \
	VMOVUPS hi, 64(DI);     \
	ADDQ    SI, DI

#define ADDROW512(lo, hi)    \
	VADDPS  (DI), lo, lo;    \
	VADDPS  64(DI), hi, hi;  \
	VMOVUPS lo, (DI);        \
	VMOVUPS hi, 64(DI);      \
	ADDQ    SI, DI

// Prefetch one 128-byte C row at R13 (up to three cache lines when unaligned), then advance.
#define PREFETCHROW512 \
	PREFETCHT0 (R13);    \
	PREFETCHT0 64(R13);  \
	PREFETCHT0 127(R13); \
	ADDQ       SI, R13

// func kernel12x32AVX512(kc int, a *float32, ars, aks int, b *float32, bks int, c *float32, ldc int, accum bool)
TEXT ·kernel12x32AVX512(SB), NOSPLIT, $0-65
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
	LEAQ (AX)(R9*2), DX

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23

	// Prefetch the 12 C tile rows: they are written after the loop.
	MOVQ DI, R13
	PREFETCHROW512
	PREFETCHROW512
	PREFETCHROW512
	PREFETCHROW512
	PREFETCHROW512
	PREFETCHROW512
	PREFETCHROW512
	PREFETCHROW512
	PREFETCHROW512
	PREFETCHROW512
	PREFETCHROW512
	PREFETCHROW512

	// R13 = kc/4 unrolled iterations, CX = kc%4 single steps.
	MOVQ  CX, R13
	SHRQ  $2, R13
	ANDQ  $3, CX
	TESTQ R13, R13
	JZ    tail512

loop4_512:
	STEP512
	STEP512
	STEP512
	STEP512
	DECQ R13
	JNZ  loop4_512

tail512:
	TESTQ CX, CX
	JZ    done512

loop1_512:
	STEP512
	DECQ CX
	JNZ  loop1_512

done512:
	CMPB accum+64(FP), $0
	JEQ  store512
	ADDROW512(Z0, Z1)
	ADDROW512(Z2, Z3)
	ADDROW512(Z4, Z5)
	ADDROW512(Z6, Z7)
	ADDROW512(Z8, Z9)
	ADDROW512(Z10, Z11)
	ADDROW512(Z12, Z13)
	ADDROW512(Z14, Z15)
	ADDROW512(Z16, Z17)
	ADDROW512(Z18, Z19)
	ADDROW512(Z20, Z21)
	ADDROW512(Z22, Z23)
	VZEROUPPER
	RET

store512:
	STOREROW512(Z0, Z1)
	STOREROW512(Z2, Z3)
	STOREROW512(Z4, Z5)
	STOREROW512(Z6, Z7)
	STOREROW512(Z8, Z9)
	STOREROW512(Z10, Z11)
	STOREROW512(Z12, Z13)
	STOREROW512(Z14, Z15)
	STOREROW512(Z16, Z17)
	STOREROW512(Z18, Z19)
	STOREROW512(Z20, Z21)
	STOREROW512(Z22, Z23)
	VZEROUPPER
	RET

// One depth step of the 14×16 AVX-512 kernel (for products at most 16 columns wide).
// Registers as in STEP512, except: DX = AX + 7*ars holds A rows 7-13 (row r of a half at
// +r*ars, 6*ars being R9*2); Z0..Z13: the tile, one row each; Z14: B row; Z16..Z29: the
// broadcast A values. Same per-lane FMA chain as kernel6x16AVX2.
#define STEP16 \
	VMOVUPS      (BX), Z14; \
	VBROADCASTSS (AX), Z16; \
	VBROADCASTSS (AX)(R8*1), Z17; \
	VBROADCASTSS (AX)(R8*2), Z18; \
	VFMADD231PS  Z14, Z16, Z0; \
	VBROADCASTSS (AX)(R9*1), Z19; \
	VFMADD231PS  Z14, Z17, Z1; \
	VBROADCASTSS (AX)(R8*4), Z20; \
	VFMADD231PS  Z14, Z18, Z2; \
	VBROADCASTSS (AX)(R11*1), Z21; \
	VFMADD231PS  Z14, Z19, Z3; \
	VBROADCASTSS (AX)(R9*2), Z22; \
	VFMADD231PS  Z14, Z20, Z4; \
	VBROADCASTSS (DX), Z23; \
	VFMADD231PS  Z14, Z21, Z5; \
	VBROADCASTSS (DX)(R8*1), Z24; \
	VFMADD231PS  Z14, Z22, Z6; \
	VBROADCASTSS (DX)(R8*2), Z25; \
	VFMADD231PS  Z14, Z23, Z7; \
	VBROADCASTSS (DX)(R9*1), Z26; \
	VFMADD231PS  Z14, Z24, Z8; \
	VBROADCASTSS (DX)(R8*4), Z27; \
	VFMADD231PS  Z14, Z25, Z9; \
	VBROADCASTSS (DX)(R11*1), Z28; \
	VFMADD231PS  Z14, Z26, Z10; \
	VBROADCASTSS (DX)(R9*2), Z29; \
	VFMADD231PS  Z14, Z27, Z11; \
	VFMADD231PS  Z14, Z28, Z12; \
	VFMADD231PS  Z14, Z29, Z13; \
	ADDQ         R10, AX; \
	ADDQ         R10, DX; \
	ADDQ         R12, BX

// Store (or add) one 16-float tile row to DI, then advance DI by one C row.
#define STOREROW16(r) \
	VMOVUPS r, (DI); \
	ADDQ    SI, DI

#define ADDROW16(r)       \
	VADDPS  (DI), r, r;   \
	VMOVUPS r, (DI);      \
	ADDQ    SI, DI

// Prefetch one 64-byte C row at R13 (two cache lines when unaligned), then advance.
#define PREFETCHROW16 \
	PREFETCHT0 (R13);   \
	PREFETCHT0 63(R13); \
	ADDQ       SI, R13

// func kernel14x16AVX512(kc int, a *float32, ars, aks int, b *float32, bks int, c *float32, ldc int, accum bool)
TEXT ·kernel14x16AVX512(SB), NOSPLIT, $0-65
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
	LEAQ (AX)(R9*2), DX
	ADDQ R8, DX

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13

	// Prefetch the 14 C tile rows: they are written after the loop.
	MOVQ DI, R13
	PREFETCHROW16
	PREFETCHROW16
	PREFETCHROW16
	PREFETCHROW16
	PREFETCHROW16
	PREFETCHROW16
	PREFETCHROW16
	PREFETCHROW16
	PREFETCHROW16
	PREFETCHROW16
	PREFETCHROW16
	PREFETCHROW16
	PREFETCHROW16
	PREFETCHROW16

	// R13 = kc/4 unrolled iterations, CX = kc%4 single steps.
	MOVQ  CX, R13
	SHRQ  $2, R13
	ANDQ  $3, CX
	TESTQ R13, R13
	JZ    tail16

loop4_16:
	STEP16
	STEP16
	STEP16
	STEP16
	DECQ R13
	JNZ  loop4_16

tail16:
	TESTQ CX, CX
	JZ    done16

loop1_16:
	STEP16
	DECQ CX
	JNZ  loop1_16

done16:
	CMPB accum+64(FP), $0
	JEQ  store16
	ADDROW16(Z0)
	ADDROW16(Z1)
	ADDROW16(Z2)
	ADDROW16(Z3)
	ADDROW16(Z4)
	ADDROW16(Z5)
	ADDROW16(Z6)
	ADDROW16(Z7)
	ADDROW16(Z8)
	ADDROW16(Z9)
	ADDROW16(Z10)
	ADDROW16(Z11)
	ADDROW16(Z12)
	ADDROW16(Z13)
	VZEROUPPER
	RET

store16:
	STOREROW16(Z0)
	STOREROW16(Z1)
	STOREROW16(Z2)
	STOREROW16(Z3)
	STOREROW16(Z4)
	STOREROW16(Z5)
	STOREROW16(Z6)
	STOREROW16(Z7)
	STOREROW16(Z8)
	STOREROW16(Z9)
	STOREROW16(Z10)
	STOREROW16(Z11)
	STOREROW16(Z12)
	STOREROW16(Z13)
	VZEROUPPER
	RET
