package detfeat

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/actrepro/actrepro/internal/data/npy"
)

// Export writes the features of videos as dir/<prefix><id>.npy, [T, D]
// float32, the published layout (prefix "" for THUMOS14, ActivityNetPrefix
// for ActivityNet): a twin exported with 1,024 channels per stream and
// Stream Both is read back by OpenTHUMOS14 value for value. Each file is
// written atomically.
func Export(src Source, dir, prefix string, videos []Video) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("detfeat: %w", err)
	}
	for _, v := range videos {
		f, err := src.Features(v.ID)
		if err != nil {
			return err
		}
		a, err := npy.NewFloat32([]int{f.T, f.D}, f.Data)
		if err != nil {
			return fmt.Errorf("detfeat: %s: %w", v.ID, err)
		}
		if err := npy.WriteFile(filepath.Join(dir, prefix+v.ID+".npy"), a); err != nil {
			return fmt.Errorf("detfeat: %w", err)
		}
	}
	return nil
}
