package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/actrepro/actrepro/internal/atomicfile"

	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/internal/metrics/detprotocol"
)

func init() {
	commands["eval"] = command{
		summary: "evaluate prediction files: eval map|topk|detection",
		run:     runEval,
	}
}

const evalUsage = `Usage: actrepro eval map|topk|detection [flags]

Evaluates your own prediction files with the papers' metrics and prints JSON.

  map        mean average precision of multi-label scores (Animal Kingdom, ARTEMIS)
  topk       top-k accuracy
  detection  temporal action detection mAP (ActivityNet or AFSD protocol)

Run "actrepro eval SUB --help" for the flags of each.
`

func runEval(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, evalUsage)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, evalUsage)
		return 0
	case "map":
		return evalMAP(args[1:], stdout, stderr)
	case "topk":
		return evalTopK(args[1:], stdout, stderr)
	case "detection":
		return evalDetection(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "actrepro eval: unknown metric %q (want map, topk or detection)\n", args[0])
	return 2
}

// evalFlags is a FlagSet whose --help prints to stdout with a description.
func evFlags(name, about string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s [flags]\n\n%s\n\nFlags:\n", name, about)
		fs.PrintDefaults()
	}
	return fs
}

// evParseFlags parses args; done is true when the caller should return
// code. --help prints the usage to stdout; a bad flag is one error line.
func evParseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (code int, done bool) {
	stderr := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return 0, true
		}
		fmt.Fprintf(stderr, "%s: %v (see --help)\n", fs.Name(), err)
		return 2, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (see --help)\n", fs.Name(), fs.Arg(0))
		return 2, true
	}
	return 0, false
}

// evFail prints one error line and returns exit code 2 (bad input).
func evFail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
	return 2
}

func evReadMatrix(path, flagName string) (*metrics.Matrix, error) {
	if path == "" {
		return nil, fmt.Errorf("--%s is required", flagName)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return metrics.ReadMatrixCSV(f, path)
}

// sameShape checks that two matrices have the same rows, columns and header.
func evSameShape(a, b *metrics.Matrix) error {
	if len(a.Rows) != len(b.Rows) {
		return fmt.Errorf("%s has %d rows but %s has %d", a.Name, len(a.Rows), b.Name, len(b.Rows))
	}
	if a.Cols() != b.Cols() {
		return fmt.Errorf("%s has %d columns but %s has %d", a.Name, a.Cols(), b.Name, b.Cols())
	}
	return evSameHeader(a, b)
}

func evSameHeader(a, b *metrics.Matrix) error {
	if a.Header != nil && b.Header != nil {
		for j := range a.Header {
			if a.Header[j] != b.Header[j] {
				return fmt.Errorf("column %d is %q in %s but %q in %s", j+1, a.Header[j], a.Name, b.Header[j], b.Name)
			}
		}
	}
	return nil
}

// num makes a float JSON-safe: NaN becomes null.
func evNum(x float64) any {
	if math.IsNaN(x) {
		return nil
	}
	if math.IsInf(x, 1) {
		return "+Inf"
	}
	if math.IsInf(x, -1) {
		return "-Inf"
	}
	return x
}

func evNums(xs []float64) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = evNum(x)
	}
	return out
}

// evWriteJSON prints v as indented JSON to stdout, or atomically to path.
func evWriteJSON(v any, path string, stdout io.Writer) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "" {
		_, err = stdout.Write(b)
		return err
	}
	return atomicfile.Write(path, b)
}

func evParseList[T any](s, what string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := parse(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not valid", what, f)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: empty list", what)
	}
	return out, nil
}

func evalMAP(args []string, stdout, stderr io.Writer) int {
	const name = "actrepro eval map"
	fs := evFlags(name, `Mean average precision of multi-label scores. Y.csv holds 0/1 labels and
S.csv real scores, one row per sample and one column per class (an optional
header row of class names; '#' lines are comments).

  macro        Animal Kingdom's official mAP: mean over classes with at least one
               positive of the per-class AP (sklearn average_precision_score).
  micro        all (sample, class) pairs pooled into one AP.
  batch-micro  what the ARTEMIS and MSQNet code report: the micro AP of each
               consecutive batch of --batch samples, averaged weighted by batch
               size (a batch without positives counts 0, as sklearn returns).

With --train-labels (0/1 labels of the training set) it also prints head,
middle and tail mAP: the macro mean over classes with >500, 100..500 and <100
training positives. Output JSON: map, per_class (null for a class without
positives), head, middle, tail.`, stdout, stderr)
	labels := fs.String("labels", "", "0/1 label CSV (`Y.csv`), required")
	scores := fs.String("scores", "", "score CSV (`S.csv`), required")
	avg := fs.String("average", "macro", "macro, micro or batch-micro")
	batch := fs.Int("batch", 0, "batch size of batch-micro (`N`)")
	train := fs.String("train-labels", "", "0/1 training label CSV (`T.csv`) for head/middle/tail")
	out := fs.String("out", "", "write the JSON to `FILE` (atomically) instead of stdout")
	if code, done := evParseFlags(fs, args, stdout); done {
		return code
	}
	a := metrics.Average(*avg)
	switch a {
	case metrics.Macro, metrics.Micro:
	case metrics.BatchMicro:
		if *batch <= 0 {
			return evFail(stderr, name, errors.New("--average batch-micro needs --batch N with N > 0"))
		}
	default:
		return evFail(stderr, name, fmt.Errorf("--average %q: want macro, micro or batch-micro", *avg))
	}
	ym, err := evReadMatrix(*labels, "labels")
	if err != nil {
		return evFail(stderr, name, err)
	}
	sm, err := evReadMatrix(*scores, "scores")
	if err != nil {
		return evFail(stderr, name, err)
	}
	if err := evSameShape(ym, sm); err != nil {
		return evFail(stderr, name, err)
	}
	y, err := ym.Labels()
	if err != nil {
		return evFail(stderr, name, err)
	}
	s, err := sm.Scores()
	if err != nil {
		return evFail(stderr, name, err)
	}
	res, err := metrics.MeanAP(y, s, a, *batch)
	if err != nil {
		if errors.Is(err, metrics.ErrNoPositive) {
			err = fmt.Errorf("%s has no positive label: mAP is undefined", ym.Name)
		}
		return evFail(stderr, name, err)
	}
	withPos := 0
	for _, v := range res.PerClass {
		if !math.IsNaN(v) {
			withPos++
		}
	}
	report := struct {
		Average        string         `json:"average"`
		Batch          int            `json:"batch,omitempty"`
		Samples        int            `json:"samples"`
		Classes        int            `json:"classes"`
		WithPositives  int            `json:"classes_with_positives"`
		MAP            any            `json:"map"`
		PerClass       []any          `json:"per_class"`
		ClassNames     []string       `json:"class_names,omitempty"`
		Head           any            `json:"head"`
		Middle         any            `json:"middle"`
		Tail           any            `json:"tail"`
		SegmentClasses map[string]int `json:"segment_classes,omitempty"`
	}{Average: string(res.Average), Samples: len(y), Classes: len(res.PerClass), WithPositives: withPos,
		MAP: evNum(res.MAP), PerClass: evNums(res.PerClass), ClassNames: ym.Header}
	if a == metrics.BatchMicro {
		report.Batch = *batch
	}
	if report.ClassNames == nil {
		report.ClassNames = sm.Header
	}
	if *train != "" {
		tm, err := evReadMatrix(*train, "train-labels")
		if err != nil {
			return evFail(stderr, name, err)
		}
		if tm.Cols() != ym.Cols() {
			return evFail(stderr, name, fmt.Errorf("%s has %d columns but %s has %d", tm.Name, tm.Cols(), ym.Name, ym.Cols()))
		}
		if err := evSameHeader(tm, ym); err != nil {
			return evFail(stderr, name, err)
		}
		ty, err := tm.Labels()
		if err != nil {
			return evFail(stderr, name, err)
		}
		seg, err := metrics.SegmentMeans(res.PerClass, metrics.TrainCounts(ty))
		if err != nil {
			return evFail(stderr, name, err)
		}
		report.Head, report.Middle, report.Tail = evNum(seg.Head), evNum(seg.Middle), evNum(seg.Tail)
		report.SegmentClasses = map[string]int{}
		for k, v := range seg.Classes {
			report.SegmentClasses[string(k)] = v
		}
	}
	if err := evWriteJSON(report, *out, stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}

func evalTopK(args []string, stdout, stderr io.Writer) int {
	const name = "actrepro eval topk"
	fs := evFlags(name, `Top-k accuracy. S.csv holds scores, one row per sample and one column per
class. y.csv holds either one column of class indices (0-based) or 0/1 labels
shaped like S.csv (multi-label: a hit when any positive class is among the k
best). Tied scores are ranked as sklearn's top_k_accuracy_score ranks them
(among equal scores the higher class index first). Output JSON: k, accuracy,
and topK keys.`, stdout, stderr)
	labels := fs.String("labels", "", "labels CSV (`y.csv`), required")
	scores := fs.String("scores", "", "score CSV (`S.csv`), required")
	kFlag := fs.String("k", "1,5", "comma-separated `K` values")
	out := fs.String("out", "", "write the JSON to `FILE` (atomically) instead of stdout")
	if code, done := evParseFlags(fs, args, stdout); done {
		return code
	}
	ks, err := evParseList(*kFlag, "--k", strconv.Atoi)
	if err != nil {
		return evFail(stderr, name, err)
	}
	for _, k := range ks {
		if k <= 0 {
			return evFail(stderr, name, fmt.Errorf("--k: %d is not a positive integer", k))
		}
	}
	ym, err := evReadMatrix(*labels, "labels")
	if err != nil {
		return evFail(stderr, name, err)
	}
	sm, err := evReadMatrix(*scores, "scores")
	if err != nil {
		return evFail(stderr, name, err)
	}
	s, err := sm.Scores()
	if err != nil {
		return evFail(stderr, name, err)
	}
	if len(ym.Rows) != len(sm.Rows) {
		return evFail(stderr, name, fmt.Errorf("%s has %d rows but %s has %d", ym.Name, len(ym.Rows), sm.Name, len(sm.Rows)))
	}
	var acc []float64
	format := "class-index"
	if ym.Cols() == 1 && sm.Cols() > 1 {
		idx, err := ym.ClassIndices(sm.Cols())
		if err != nil {
			return evFail(stderr, name, err)
		}
		acc, err = metrics.TopK(idx, s, ks)
		if err != nil {
			return evFail(stderr, name, err)
		}
	} else {
		format = "multi-hot"
		if err := evSameShape(ym, sm); err != nil {
			return evFail(stderr, name, fmt.Errorf("%v (labels must be one column of class indices or 0/1 shaped like the scores)", err))
		}
		y, err := ym.Labels()
		if err != nil {
			return evFail(stderr, name, err)
		}
		acc, err = metrics.TopKMultiLabel(y, s, ks)
		if err != nil {
			return evFail(stderr, name, err)
		}
	}
	report := map[string]any{"samples": len(s), "classes": sm.Cols(), "labels": format, "k": ks, "accuracy": acc}
	for i, k := range ks {
		report[fmt.Sprintf("top%d", k)] = acc[i]
	}
	if err := evWriteJSON(report, *out, stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}

func evalDetection(args []string, stdout, stderr io.Writer) int {
	const name = "actrepro eval detection"
	fs := evFlags(name, `Temporal action detection mAP under the ActivityNet or the AFSD protocol.

GT.json:   {"database": {VIDEO: {"subset": ..., "annotations": [{"label": L, "segment": [s, e]}]}}}
           (ActivityNet / ActionFormer schema; segment values numbers or numeric strings)
PRED.json: {"results": {VIDEO: [{"label": L, "segment": [s, e], "score": x}]}}

tIoU has no +1 term. Per class, predictions are taken in descending score;
ties keep their file order (a stable sort). Each is matched to the
highest-tIoU unmatched ground truth of its video (a match needs tIoU >=
threshold). AP is VOC-interpolated; mAP averages over every class in the
ground truth (0 for a class without predictions).

--protocol activitynet (the official eval_detection.py): predictions on
  videos without ground truth of that class are false positives; a predicted
  label that is not a ground-truth class is an error.
--protocol afsd (AFSD's and GAF's evaluation/eval_detection.py L136-140):
  predictions on videos with no ground truth in the subset are dropped first,
  then predictions whose label is not a ground-truth class.

THUMOS14 as AFSD and GAF evaluate it: --gt thumos14/thumos_gt.json --subset
test --protocol afsd --tiou 0.1,0.2,0.3,0.4,0.5,0.6,0.7. Output JSON:
protocol, tiou, map (per threshold), average, per_class, gt_instances,
predictions, evaluated, dropped_no_gt, dropped_label, dropped_videos.`, stdout, stderr)
	gtPath := fs.String("gt", "", "ground-truth JSON (`GT.json`), required")
	predPath := fs.String("pred", "", "prediction JSON (`PRED.json`), required")
	tiouFlag := fs.String("tiou", "0.1,0.2,0.3,0.4,0.5", "comma-separated tIoU `thresholds`")
	subset := fs.String("subset", "", "keep only ground-truth videos whose \"subset\" is `NAME` (case-insensitive); empty keeps all")
	protoFlag := fs.String("protocol", string(detprotocol.ActivityNet), "evaluation protocol: activitynet or afsd")
	out := fs.String("out", "", "write the JSON to `FILE` (atomically) instead of stdout")
	if code, done := evParseFlags(fs, args, stdout); done {
		return code
	}
	proto, err := detprotocol.Parse(*protoFlag)
	if err != nil {
		return evFail(stderr, name, fmt.Errorf("--protocol: %w", err))
	}
	tious, err := evParseList(*tiouFlag, "--tiou", func(s string) (float64, error) { return strconv.ParseFloat(s, 64) })
	if err != nil {
		return evFail(stderr, name, err)
	}
	for _, t := range tious {
		if !(t > 0 && t <= 1) {
			return evFail(stderr, name, fmt.Errorf("--tiou: %v is outside (0, 1]", t))
		}
	}
	if *gtPath == "" {
		return evFail(stderr, name, errors.New("--gt is required"))
	}
	if *predPath == "" {
		return evFail(stderr, name, errors.New("--pred is required"))
	}
	gf, err := os.Open(*gtPath)
	if err != nil {
		return evFail(stderr, name, err)
	}
	gt, err := metrics.ReadActivityNetGT(gf, *gtPath, *subset)
	gf.Close()
	if err != nil {
		return evFail(stderr, name, err)
	}
	pf, err := os.Open(*predPath)
	if err != nil {
		return evFail(stderr, name, err)
	}
	pred, err := metrics.ReadActivityNetResults(pf, *predPath)
	pf.Close()
	if err != nil {
		return evFail(stderr, name, err)
	}
	res, err := detprotocol.Evaluate(proto, gt, pred, tious)
	if err != nil {
		if *subset != "" {
			err = fmt.Errorf("%w (ground truth restricted to subset %q)", err, *subset)
		}
		return evFail(stderr, name, fmt.Errorf("%s vs %s: %w", *predPath, *gtPath, err))
	}
	dropped := res.DroppedVideos
	if dropped == nil {
		dropped = []string{}
	}
	report := struct {
		Protocol      string               `json:"protocol"`
		TIoU          []float64            `json:"tiou"`
		MAP           []float64            `json:"map"`
		Average       float64              `json:"average"`
		PerClass      map[string][]float64 `json:"per_class"`
		GT            int                  `json:"gt_instances"`
		Predictions   int                  `json:"predictions"`
		Evaluated     int                  `json:"evaluated"`
		DroppedNoGT   int                  `json:"dropped_no_gt"`
		DroppedLabel  int                  `json:"dropped_label"`
		DroppedVideos []string             `json:"dropped_videos"`
		Subset        string               `json:"subset,omitempty"`
	}{string(proto), res.TIoU, res.MAP, res.Average, res.AP, len(gt), len(pred), res.Evaluated,
		res.DroppedNoGT, res.DroppedLabel, dropped, *subset}
	if err := evWriteJSON(report, *out, stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}
