package gemm

// Packed layouts (all zero-padded to full strips, so the micro-kernel never needs bounds):
//
// A row strip (MR rows × kc): for each depth p, the MR values op(A)[i0+r][p0+p], r < MR,
// are contiguous:
//
//	dst[p*MR + r] = op(A)[i0+r][p0+p]
//
// B column strip (kc × NR): for each depth p, the NR values op(B)[p0+p][j0+j], j < NR, are
// contiguous (with NR=16 floats and a 64-byte aligned buffer, exactly one cache line; two
// with NR=32):
//
//	dst[p*NR + j] = op(B)[p0+p][j0+j]
//
// Every view has rs == 1 or cs == 1 (see matView), which selects the copy loop.
//
// The micro-kernel then walks both strips linearly: at depth p it broadcasts the MR values of
// A and loads the NR values of B.

// packA packs the rows×kc block a (rows ≤ mr) into dst (len ≥ kc*mr) as one A strip.
func packA(dst []float32, a matView, rows, kc, mr int) {
	dst = dst[:kc*mr]
	switch {
	case a.rs == 1 && rows == 6 && mr == 6: // full strip of a transposed A: copy 6 floats per depth.
		for p := range kc {
			*(*[6]float32)(dst[p*6 : p*6+6]) = *(*[6]float32)(a.data[p*a.cs : p*a.cs+6])
		}
	case a.rs == 1 && rows == 12 && mr == 12:
		for p := range kc {
			*(*[12]float32)(dst[p*12 : p*12+12]) = *(*[12]float32)(a.data[p*a.cs : p*a.cs+12])
		}
	case a.rs == 1: // op(A) is a transposed A: each depth p is a contiguous run of rows.
		for p := range kc {
			d := dst[p*mr : p*mr+mr]
			copy(d, a.data[p*a.cs:p*a.cs+rows])
			clear(d[rows:])
		}
	case a.cs == 1 && rows == 6 && mr == 6: // full strip of row-major A: gather 6 rows per depth.
		r0 := a.data[0*a.rs : 0*a.rs+kc]
		r1 := a.data[1*a.rs : 1*a.rs+kc]
		r2 := a.data[2*a.rs : 2*a.rs+kc]
		r3 := a.data[3*a.rs : 3*a.rs+kc]
		r4 := a.data[4*a.rs : 4*a.rs+kc]
		r5 := a.data[5*a.rs : 5*a.rs+kc]
		for p := range r0 {
			d := (*[6]float32)(dst[p*6 : p*6+6])
			d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
		}
	case a.cs == 1 && rows == 12 && mr == 12: // full 12-row strip: two 6-row gathers.
		for h := 0; h < 12; h += 6 {
			r0 := a.data[(h+0)*a.rs : (h+0)*a.rs+kc]
			r1 := a.data[(h+1)*a.rs : (h+1)*a.rs+kc]
			r2 := a.data[(h+2)*a.rs : (h+2)*a.rs+kc]
			r3 := a.data[(h+3)*a.rs : (h+3)*a.rs+kc]
			r4 := a.data[(h+4)*a.rs : (h+4)*a.rs+kc]
			r5 := a.data[(h+5)*a.rs : (h+5)*a.rs+kc]
			for p := range r0 {
				d := (*[6]float32)(dst[p*12+h : p*12+h+6])
				d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
			}
		}
	default: // row-major A (cs == 1): read each row contiguously, scatter with stride mr.
		for r := range rows {
			src := a.data[r*a.rs : r*a.rs+kc]
			d := dst[r:]
			for p, v := range src {
				d[p*mr] = v
			}
		}
		if rows < mr {
			for p := range kc {
				clear(dst[p*mr+rows : p*mr+mr])
			}
		}
	}
}

// packB packs the kc×cols block b (cols ≤ nr) into dst (len ≥ kc*nr) as one B strip.
func packB(dst []float32, b matView, kc, cols, nr int) {
	dst = dst[:kc*nr]
	switch {
	case b.cs == 1 && cols == 16 && nr == 16: // full strip of row-major B: copy 16 floats per depth.
		for p := range kc {
			*(*[16]float32)(dst[p*16 : p*16+16]) = *(*[16]float32)(b.data[p*b.rs : p*b.rs+16])
		}
	case b.cs == 1 && cols == 32 && nr == 32:
		for p := range kc {
			*(*[32]float32)(dst[p*32 : p*32+32]) = *(*[32]float32)(b.data[p*b.rs : p*b.rs+32])
		}
	case b.cs == 1: // row-major B: each depth p is a contiguous run of columns.
		for p := range kc {
			d := dst[p*nr : p*nr+nr]
			copy(d, b.data[p*b.rs:p*b.rs+cols])
			clear(d[cols:])
		}
	default: // op(B) is a transposed B (rs == 1): gather 4 columns (rows of B) per depth.
		j := 0
		for ; j+4 <= cols; j += 4 {
			s0 := b.data[j*b.cs : j*b.cs+kc]
			s1 := b.data[(j+1)*b.cs : (j+1)*b.cs+kc]
			s2 := b.data[(j+2)*b.cs : (j+2)*b.cs+kc]
			s3 := b.data[(j+3)*b.cs : (j+3)*b.cs+kc]
			for p := range s0 {
				d := (*[4]float32)(dst[p*nr+j : p*nr+j+4])
				d[0], d[1], d[2], d[3] = s0[p], s1[p], s2[p], s3[p]
			}
		}
		for ; j < cols; j++ {
			src := b.data[j*b.cs : j*b.cs+kc]
			d := dst[j:]
			for p, v := range src {
				d[p*nr] = v
			}
		}
		if cols < nr {
			for p := range kc {
				clear(dst[p*nr+cols : p*nr+nr])
			}
		}
	}
}
