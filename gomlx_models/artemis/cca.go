package artemis

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// DefaultCCAIters is the number of Newton–Schulz iterations of ccaCode.
const DefaultCCAIters = 30

// ccaCode is the authors' CCALoss (artemis_contrastive.py:39-84), the
// default CCAForm: H1, H2 [B, E] are fb1 (H_v^final mapped by W_j) and fb2
// (H_q^final) averaged over the K class tokens; with centred H_i,
// Σ_ij = H_iᵀ H_j / (B-1) and Σ_ii += r I (r = CCARidge), the loss is
//
//	-‖Σ11⁻¹ Σ12 Σ22⁻¹‖_*  (the sum of the singular values, torch.svd at :77).
//
// The graph backends have no eigen/SVD/inverse ops, so it is computed
// exactly (up to the iteration's convergence) in the (B-1)-dimensional
// sample space with matrix products only:
//
//   - centring is D_i = Qᵀ H_i / sqrt(B-1) with Q a fixed orthonormal
//     [B, B-1] basis of the vectors orthogonal to 1 (Helmert), so that
//     D_iᵀ D_i = Σ_ii - r I, and the structural zero of centring is gone;
//   - by the push-through identity (DᵀD + r)⁻¹Dᵀ = Dᵀ(DDᵀ + r)⁻¹, with
//     C_i = D_i D_iᵀ, S_i = C_i^{1/2} and R_i = S_i (C_i + r)⁻¹ (symmetric),
//     the nonzero singular values of Σ11⁻¹Σ12Σ22⁻¹ are those of R1 R2, so
//     the loss is -‖R1 R2‖_*;
//   - the square roots and inverses come from the coupled Newton–Schulz
//     iteration (Y → A^{1/2}, Z → A^{-1/2}), CCAIters steps, differentiable
//     through the unrolled products, and the nuclear norm from the
//     Newton–Schulz polar iteration (NuclearNorm).
//
// When B-1 > E the feature space is smaller and used instead: -‖Σ11⁻¹ Σ12
// Σ22⁻¹‖_* directly.
func (c Config) ccaCode(out Output) *Node {
	h1, h2 := pooled(out.Fb1K), pooled(out.Fb2) // [B, E]
	iters := c.CCAIters
	if iters == 0 {
		iters = DefaultCCAIters
	}
	return CCASumOfCorrelations(h1, h2, c.CCARidge, iters)
}

// CCASumOfCorrelations returns -‖Σ11⁻¹ Σ12 Σ22⁻¹‖_* for h1, h2 [n, e] (see
// ccaCode), with ridge r and iters Newton–Schulz steps.
func CCASumOfCorrelations(h1, h2 *Node, r float64, iters int) *Node {
	g := h1.Graph()
	dt := h1.DType()
	n, e := h1.Shape().Dimensions[0], h1.Shape().Dimensions[1]
	m := n - 1
	if m < 1 {
		panic("artemis: the CCA loss needs a batch of at least 2")
	}
	q := ConvertDType(Const(g, helmert(n)), dt) // [n, m]
	scale := 1 / math.Sqrt(float64(m))
	d1 := MulScalar(Einsum("nm,ne->me", q, h1), scale) // [m, e]
	d2 := MulScalar(Einsum("nm,ne->me", q, h2), scale)
	var a *Node
	if m <= e {
		a = MatMul(ridgedRoot(d1, r, iters), ridgedRoot(d2, r, iters))
	} else {
		// Feature space: Σ_ii = D_iᵀ D_i + r I, M = Σ11⁻¹ Σ12 Σ22⁻¹.
		s1 := AddRidge(Einsum("me,mf->ef", d1, d1), r)
		s2 := AddRidge(Einsum("me,mf->ef", d2, d2), r)
		a = MatMul(MatMul(nsInverse(s1, iters), Einsum("me,mf->ef", d1, d2)), nsInverse(s2, iters))
	}
	return Neg(NuclearNorm(a, iters))
}

// NuclearNorm is ‖A‖_* (the sum of the singular values) of a square A,
// computed as tr(Uᵀ A) with U the orthogonal polar factor of A from the
// Newton–Schulz polar iteration X ← X (3I - XᵀX)/2, X_0 = A/‖A‖_F. U is held
// constant for the gradient (StopGradient): d‖A‖_* = tr(Uᵀ dA), the exact
// gradient. Unlike tr((AᵀA)^{1/2}) this does not square the condition
// number: a singular value σ converges in about log(‖A‖_F/σ)/log(1.5) + 4
// steps; smaller ones (and exact zeros) count as 0.
func NuclearNorm(a *Node, iters int) *Node {
	k := a.Shape().Dimensions[0]
	eye := ConvertDType(Const(a.Graph(), identity(k)), a.DType())
	x := StopGradient(Div(a, Sqrt(ReduceAllSum(Square(a)))))
	for i := 0; i < iters; i++ {
		x = MulScalar(MatMul(x, Sub(MulScalar(eye, 3), MatMul(Transpose(x, 0, 1), x))), 0.5)
	}
	return ReduceAllSum(Mul(StopGradient(x), a))
}

// AddRidge returns a + r I for a square a.
func AddRidge(a *Node, r float64) *Node {
	k := a.Shape().Dimensions[0]
	eye := ConvertDType(Const(a.Graph(), identity(k)), a.DType())
	return Add(a, MulScalar(eye, r))
}

// ridgedRoot returns R = C^{1/2} (C + r I)⁻¹ for C = d dᵀ.
func ridgedRoot(d *Node, r float64, iters int) *Node {
	cm := Einsum("me,ne->mn", d, d)
	s, _ := nsSqrt(cm, iters)
	return MatMul(s, nsInverse(AddRidge(cm, r), iters))
}

// nsInverse is A⁻¹ for a symmetric positive-definite A: the inverse square
// root Z from the coupled iteration, squared.
func nsInverse(a *Node, iters int) *Node {
	_, z := nsSqrt(a, iters)
	return MatMul(z, z)
}

// nsSqrt is the coupled Newton–Schulz iteration for a symmetric positive
// (semi-)definite A: with c = ‖A‖_F (so the eigenvalues of A/c lie in
// (0, 1]), Y_0 = A/c, Z_0 = I, T = (3I - Z Y)/2, Y ← Y T, Z ← T Z; then
// Y → (A/c)^{1/2} and Z → (A/c)^{-1/2}. It returns A^{1/2} = sqrt(c) Y and
// A^{-1/2} = Z / sqrt(c). An eigenvalue λ/c needs about
// log(c/λ)/log(2.25) + 5 steps.
func nsSqrt(a *Node, iters int) (sqrt, invSqrt *Node) {
	k := a.Shape().Dimensions[0]
	eye := ConvertDType(Const(a.Graph(), identity(k)), a.DType())
	c := Sqrt(ReduceAllSum(Square(a)))
	y := Div(a, c)
	z := eye
	for i := 0; i < iters; i++ {
		t := MulScalar(Sub(MulScalar(eye, 3), MatMul(z, y)), 0.5)
		y, z = MatMul(y, t), MatMul(t, z)
	}
	sc := Sqrt(c)
	return Mul(y, sc), Div(z, sc)
}

func identity(k int) *tensors.Tensor {
	m := make([]float32, k*k)
	for i := 0; i < k; i++ {
		m[i*k+i] = 1
	}
	return tensors.FromFlatDataAndDimensions(m, k, k)
}

// helmert returns an [n, n-1] matrix with orthonormal columns orthogonal to
// the all-ones vector (the sub-diagonal Helmert basis): column j has 1/s at
// rows 0..j, -(j+1)/s at row j+1, s = sqrt((j+1)(j+2)). Q Qᵀ = I - 11ᵀ/n, so
// Qᵀ H is H centred, in n-1 coordinates.
func helmert(n int) *tensors.Tensor {
	m := make([]float32, n*(n-1))
	for j := 0; j < n-1; j++ {
		s := math.Sqrt(float64((j + 1) * (j + 2)))
		for i := 0; i <= j; i++ {
			m[i*(n-1)+j] = float32(1 / s)
		}
		m[(j+1)*(n-1)+j] = float32(-float64(j+1) / s)
	}
	return tensors.FromFlatDataAndDimensions(m, n, n-1)
}
