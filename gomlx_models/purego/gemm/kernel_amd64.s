//go:build amd64 && !purego

#include "textflag.h"

// The kernels' shared pieces. Every kernel has the signature
//   func(kc int, a *float32, ars, aks int, b *float32, bks int, c *float32, ldc int, accum bool)
// LOADARGS loads it: CX = kc, AX = a, BX = b, DI = c; R8 = ars, R10 = aks, R12 = bks and
// SI = ldc in bytes; R9 = 3*ars and R11 = 5*ars (bytes).
// go vet's asmdecl does not read #define bodies, so it no longer checks these FP offsets
// (nor accum+64 in FINISH); a wrong one fails the kernel tests (gemm_test.go,
// kernel_amd64_test.go), which compare every kernel with the generic one.
#define LOADARGS \
	MOVQ kc+0(FP), CX;      \
	MOVQ a+8(FP), AX;       \
	MOVQ ars+16(FP), R8;    \
	MOVQ aks+24(FP), R10;   \
	MOVQ b+32(FP), BX;      \
	MOVQ bks+40(FP), R12;   \
	MOVQ c+48(FP), DI;      \
	MOVQ ldc+56(FP), SI;    \
	SHLQ $2, R8;            \
	SHLQ $2, R10;           \
	SHLQ $2, R12;           \
	SHLQ $2, SI;            \
	LEAQ (R8)(R8*2), R9;    \
	LEAQ (R8)(R8*4), R11

// DEPTHLOOP runs the depth loop: CX/4 iterations of STEPM unrolled four times, counted in N,
// then CX%4 single steps. CX and N are clobbered.
#define DEPTHLOOP(STEPM, N) \
	MOVQ  CX, N;            \
	SHRQ  $2, N;            \
	ANDQ  $3, CX;           \
	TESTQ N, N;             \
	JZ    tail;             \
loop4:                      \
	STEPM;                  \
	STEPM;                  \
	STEPM;                  \
	STEPM;                  \
	DECQ  N;                \
	JNZ   loop4;            \
tail:                       \
	TESTQ CX, CX;           \
	JZ    done;             \
loop1:                      \
	STEPM;                  \
	DECQ  CX;               \
	JNZ   loop1;            \
done:

// FINISH adds the tile to C (accum) or stores it, row by row: EACH applies ADDM or STOREM
// to every tile row (or pair of registers holding one).
#define FINISH(EACH, ADDM, STOREM) \
	CMPB  accum+64(FP), $0; \
	JEQ   store;            \
	EACH(ADDM);             \
	VZEROUPPER;             \
	RET;                    \
store:                      \
	EACH(STOREM);           \
	VZEROUPPER;             \
	RET

// EACH6x16, EACH12x32 and EACH14x16 apply M to each tile row of a kernel, in order: to the
// register pair holding it (columns 0-7 and 8-15, 0-15 and 16-31) or to its one register.
#define EACH6x16(M) \
	M(Y0, Y1); M(Y2, Y3); M(Y4, Y5); M(Y6, Y7); M(Y8, Y9); M(Y10, Y11)

#define EACH12x32(M) \
	M(Z0, Z1); M(Z2, Z3); M(Z4, Z5); M(Z6, Z7); M(Z8, Z9); M(Z10, Z11);         \
	M(Z12, Z13); M(Z14, Z15); M(Z16, Z17); M(Z18, Z19); M(Z20, Z21); M(Z22, Z23)

#define EACH14x16(M) \
	M(Z0); M(Z1); M(Z2); M(Z3); M(Z4); M(Z5); M(Z6); \
	M(Z7); M(Z8); M(Z9); M(Z10); M(Z11); M(Z12); M(Z13)

// Prefetch the 64 bytes at R (two cache lines when unaligned); PREFETCHNEXT64 first
// advances R by one C row (SI).
#define PREFETCH64(R) \
	PREFETCHT0 (R);   \
	PREFETCHT0 63(R)

#define PREFETCHNEXT64(R) \
	ADDQ SI, R;           \
	PREFETCH64(R)

// Zero a tile row.
#define ZEROPAIR256(lo, hi) \
	VXORPS lo, lo, lo;      \
	VXORPS hi, hi, hi

#define ZEROPAIR512(lo, hi) \
	VPXORD lo, lo, lo;      \
	VPXORD hi, hi, hi

#define ZERO512(r) \
	VPXORD r, r, r

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
	LOADARGS

	EACH6x16(ZEROPAIR256)

	// Prefetch the C tile rows (both cache lines of each 64-byte row, which need not be
	// aligned): they are written after the loop.
	MOVQ DI, DX
	PREFETCH64(DX)
	PREFETCHNEXT64(DX)
	PREFETCHNEXT64(DX)
	PREFETCHNEXT64(DX)
	PREFETCHNEXT64(DX)
	PREFETCHNEXT64(DX)

	// DX counts the unrolled iterations.
	DEPTHLOOP(STEP, DX)
	FINISH(EACH6x16, ADDROW, STOREROW)

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

// Prefetch one 128-byte C row at R13 (up to three cache lines when unaligned), then advance
// (the tile registers, lo and hi, are not used: the macro is applied with EACH12x32).
#define PREFETCHPAIR512(lo, hi) \
	PREFETCHT0 (R13);    \
	PREFETCHT0 64(R13);  \
	PREFETCHT0 127(R13); \
	ADDQ       SI, R13

// func kernel12x32AVX512(kc int, a *float32, ars, aks int, b *float32, bks int, c *float32, ldc int, accum bool)
TEXT ·kernel12x32AVX512(SB), NOSPLIT, $0-65
	LOADARGS
	LEAQ (AX)(R9*2), DX

	EACH12x32(ZEROPAIR512)

	// Prefetch the 12 C tile rows: they are written after the loop.
	MOVQ DI, R13
	EACH12x32(PREFETCHPAIR512)

	// R13 counts the unrolled iterations.
	DEPTHLOOP(STEP512, R13)
	FINISH(EACH12x32, ADDROW512, STOREROW512)

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

// Prefetch one 64-byte C row at R13 (two cache lines when unaligned), then advance (r is not
// used: the macro is applied with EACH14x16).
#define PREFETCHROW16(r) \
	PREFETCH64(R13);    \
	ADDQ SI, R13

// func kernel14x16AVX512(kc int, a *float32, ars, aks int, b *float32, bks int, c *float32, ldc int, accum bool)
TEXT ·kernel14x16AVX512(SB), NOSPLIT, $0-65
	LOADARGS
	LEAQ (AX)(R9*2), DX
	ADDQ R8, DX

	EACH14x16(ZERO512)

	// Prefetch the 14 C tile rows: they are written after the loop.
	MOVQ DI, R13
	EACH14x16(PREFETCHROW16)

	// R13 counts the unrolled iterations.
	DEPTHLOOP(STEP16, R13)
	FINISH(EACH14x16, ADDROW16, STOREROW16)
