package data

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// UCF101 file names under <data root>/ucf101.
const (
	UCF101Dir       = "ucf101"
	UCF101ClassFile = "classInd.txt"
	UCF101NumSplits = 3 // trainlist0{1,2,3}.txt, testlist0{1,2,3}.txt
)

// UCFVideo is one video of UCF101 or UCF50.
type UCFVideo struct {
	Path  string // relative to the dataset root as listed, e.g. "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi"
	Class int    // 0-based class index
	Group int    // gNN of the file name (the actor group; splits never share a group)
	Clip  int    // cNN of the file name
}

// UCF101 is the class index and the three official train/test splits.
type UCF101 struct {
	Classes     []string     // 101 names, index 0 is classInd's 1
	Train, Test [][]UCFVideo // per split (index 0 is split 1)
	Fingerprint string
}

var ucfName = regexp.MustCompile(`^v_([A-Za-z0-9]+)_g(\d+)_c(\d+)\.[A-Za-z0-9]+$`)

// LoadUCF101 reads dir (usually <root>/ucf101): classInd.txt and the split
// lists present. CRLF line ends are accepted. Classes are matched without
// regard to case, which handles the official quirk that class 37 is
// "HandstandPushups" while its files are named v_HandStandPushups_*.
func LoadUCF101(dir string) (*UCF101, error) {
	var fp Fingerprinter
	u := &UCF101{}
	p := filepath.Join(dir, UCF101ClassFile)
	b, err := readFile(p, &fp)
	if err != nil {
		return nil, err
	}
	byName := map[string]int{}
	err = lines(b, func(n int, line string) error {
		f := strings.Fields(line)
		if len(f) == 0 {
			return nil
		}
		if len(f) != 2 {
			return perr(p, n, "want 'index ClassName', got %q", line)
		}
		i, err := strconv.Atoi(f[0])
		if err != nil || i != len(u.Classes)+1 {
			return perr(p, n, "class index %q, want %d", f[0], len(u.Classes)+1)
		}
		byName[strings.ToLower(f[1])] = len(u.Classes)
		u.Classes = append(u.Classes, f[1])
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(u.Classes) == 0 {
		return nil, perr(p, 0, "no classes")
	}
	for s := 1; s <= UCF101NumSplits; s++ {
		for _, kind := range []string{"train", "test"} {
			p := filepath.Join(dir, fmt.Sprintf("%slist%02d.txt", kind, s))
			if !exists(p) {
				continue
			}
			vids, err := readUCFList(p, byName, kind == "train", &fp)
			if err != nil {
				return nil, err
			}
			if kind == "train" {
				u.Train = append(u.Train, vids)
			} else {
				u.Test = append(u.Test, vids)
			}
		}
	}
	u.Fingerprint = fp.Sum()
	return u, nil
}

// readUCFList reads a split list: "Class/v_Class_gNN_cMM.avi [label]" lines
// (train lists carry a 1-based label, test lists do not).
func readUCFList(p string, byName map[string]int, labelled bool, fp *Fingerprinter) ([]UCFVideo, error) {
	b, err := readFile(p, fp)
	if err != nil {
		return nil, err
	}
	var out []UCFVideo
	err = lines(b, func(n int, line string) error {
		f := strings.Fields(line)
		if len(f) == 0 {
			return nil
		}
		if len(f) > 2 || (labelled && len(f) != 2) {
			return perr(p, n, "want 'Class/file.avi%s', got %q", map[bool]string{true: " label", false: ""}[labelled], line)
		}
		v, err := parseUCFPath(f[0], byName)
		if err != nil {
			return perr(p, n, "%v", err)
		}
		if len(f) == 2 {
			l, err := strconv.Atoi(f[1])
			if err != nil || l != v.Class+1 {
				return perr(p, n, "label %q, but folder %q is class %d", f[1], strings.Split(f[0], "/")[0], v.Class+1)
			}
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, perr(p, 0, "no videos")
	}
	return out, nil
}

func parseUCFPath(rel string, byName map[string]int) (UCFVideo, error) {
	folder, file, ok := strings.Cut(rel, "/")
	if !ok {
		return UCFVideo{}, fmt.Errorf("path %q has no class folder", rel)
	}
	c, ok := byName[strings.ToLower(folder)]
	if !ok {
		return UCFVideo{}, fmt.Errorf("unknown class folder %q", folder)
	}
	m := ucfName.FindStringSubmatch(file)
	if m == nil {
		return UCFVideo{}, fmt.Errorf("file name %q is not v_Class_gNN_cMM.ext", file)
	}
	if !strings.EqualFold(m[1], folder) {
		return UCFVideo{}, fmt.Errorf("file %q is not in its class folder %q", file, folder)
	}
	g, _ := strconv.Atoi(m[2])
	cl, _ := strconv.Atoi(m[3])
	return UCFVideo{Path: rel, Class: c, Group: g, Clip: cl}, nil
}

// UCF50 is a directory of class folders of videos (the UCF50 release
// layout: UCF50/<Class>/v_<Class>_gNN_cMM.avi).
type UCF50 struct {
	Dir     string
	Classes []string // folder names, sorted
	Videos  []UCFVideo
	// Fingerprint hashes the listing (relative paths and sizes), not the
	// video bytes, so that checking a large release stays fast.
	Fingerprint string
}

// VideoExts are the file extensions the directory readers take as videos.
var VideoExts = map[string]bool{".avi": true, ".mp4": true, ".mkv": true, ".webm": true, ".mov": true, ".mpg": true}

// LoadUCF50 lists dir: each sub-directory is a class, each video file in it
// a clip. File names not of the form v_<Class>_gNN_cMM.ext get group 0.
func LoadUCF50(dir string) (*UCF50, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	u := &UCF50{Dir: dir}
	var fp Fingerprinter
	for _, e := range ents {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			u.Classes = append(u.Classes, e.Name())
		}
	}
	sort.Strings(u.Classes)
	if len(u.Classes) == 0 {
		return nil, perr(dir, 0, "no class folders")
	}
	for ci, c := range u.Classes {
		files, err := os.ReadDir(filepath.Join(dir, c))
		if err != nil {
			return nil, err
		}
		n := 0
		for _, f := range files {
			if f.IsDir() || !VideoExts[strings.ToLower(filepath.Ext(f.Name()))] {
				continue
			}
			v := UCFVideo{Path: c + "/" + f.Name(), Class: ci}
			if m := ucfName.FindStringSubmatch(f.Name()); m != nil {
				v.Group, _ = strconv.Atoi(m[2])
				v.Clip, _ = strconv.Atoi(m[3])
			}
			info, err := f.Info()
			if err != nil {
				return nil, err
			}
			fp.AddString(v.Path, strconv.FormatInt(info.Size(), 10))
			u.Videos = append(u.Videos, v)
			n++
		}
		if n == 0 {
			return nil, perr(filepath.Join(dir, c), 0, "class folder has no video (extensions %v)", videoExtList())
		}
	}
	u.Fingerprint = fp.Sum()
	return u, nil
}

func videoExtList() []string {
	var l []string
	for e := range VideoExts {
		l = append(l, e)
	}
	sort.Strings(l)
	return l
}

func lower(s string) string { return strings.ToLower(s) }
