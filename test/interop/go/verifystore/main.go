// Command verifystore checks a C2SP tlog-tiles store (as written by `custos seal`) with Go's
// golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog, an implementation independent of
// Custos. It is the other half of test/interop/goInterop.test.ts.
//
// Usage:
//
//	verifystore <storeDir> <verifierKey> [--old-checkpoint <file>]
//
// It opens <storeDir>/checkpoint with the verifier key (c2sp.org/signed-note, Ed25519), parses
// its origin, size and root (c2sp.org/tlog-checkpoint), then:
//   - recomputes the root from the hash tiles (tlog.TreeHash over the stored hashes);
//   - reads every entry bundle, checks each entry's tlog.RecordHash against the level-0 hash tile,
//     rebuilds the whole tree from the record hashes alone and compares its root;
//   - compares the bytes of every hash tile of the tree with the tiles Go computes;
//   - checks inclusion proofs (tlog.ProveRecord + tlog.CheckRecord) through tlog.TileHashReader,
//     which authenticates every tile it loads against the checkpoint;
//   - with --old-checkpoint, checks the consistency proof (tlog.ProveTree + tlog.CheckTree) from
//     that older checkpoint (same key and origin) to the current one.
//
// It prints `OK <origin> <size> <root-base64>` and exits 0, or prints the problem and exits 1
// (2 for bad usage).
//
// Build without the module proxy, against Debian's golang-golang-x-mod-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o verifystore .
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// tileHeight is the height of C2SP tlog-tiles tiles (and of the Go checksum database's tiles).
const tileHeight = 8

const tileWidth = 1 << tileHeight

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

type failure struct{ msg string }

func (f *failure) Error() string { return f.msg }

func fail(format string, args ...any) error { return &failure{fmt.Sprintf(format, args...)} }

func main() {
	args := os.Args[1:]
	oldPath := ""
	var pos []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--old-checkpoint" {
			if i+1 >= len(args) {
				usage()
			}
			oldPath = args[i+1]
			i++
			continue
		}
		pos = append(pos, args[i])
	}
	if len(pos) != 2 {
		usage()
	}
	out, err := run(pos[0], pos[1], oldPath)
	if err != nil {
		fmt.Println("FAIL " + err.Error())
		os.Exit(1)
	}
	fmt.Println(out)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: verifystore <storeDir> <verifierKey> [--old-checkpoint <file>]")
	os.Exit(2)
}

func run(dir, vkey, oldPath string) (string, error) {
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return "", fmt.Errorf("verifier key: %v", err)
	}
	cp, err := openCheckpoint(filepath.Join(dir, "checkpoint"), verifier)
	if err != nil {
		return "", err
	}
	if cp.origin != verifier.Name() {
		return "", fail("checkpoint origin %q is not the key name %q", cp.origin, verifier.Name())
	}

	store := &tileStore{dir: dir, size: cp.size, cache: map[tlog.Tile][]byte{}}

	// 1. The root from the hash tiles, read as they are (nothing authenticated yet).
	treeHash, err := tlog.TreeHash(cp.size, tlog.HashReaderFunc(store.readStoredHashes))
	if err != nil {
		return "", fmt.Errorf("tree hash from tiles: %v", err)
	}
	if treeHash != cp.root {
		return "", fail("tree hash from the tiles %s is not the checkpoint root %s", treeHash, cp.root)
	}

	// 2. Every entry: its record hash against the level-0 tiles, and the tree rebuilt from entries.
	rebuilt, err := checkEntries(store, cp)
	if err != nil {
		return "", err
	}

	// 3. Every hash tile of the tree, byte for byte, against the tiles Go computes from the entries.
	for _, t := range tlog.NewTiles(tileHeight, 0, cp.size) {
		if t.W != tileWidth && !isFinalTile(t, cp.size) {
			continue // a narrower version of the final partial tile: a store need only hold the widest
		}
		want, err := tlog.ReadTileData(t, rebuilt)
		if err != nil {
			return "", fmt.Errorf("tile %s from entries: %v", c2spPath(t), err)
		}
		got, err := store.readTile(t)
		if err != nil {
			return "", err
		}
		if !bytes.Equal(got, want) {
			return "", fail("%s differs from the tile computed from the entries", c2spPath(t))
		}
	}

	// 4. Inclusion proofs through tlog.TileHashReader, which authenticates the tiles it loads.
	auth := tlog.TileHashReader(tlog.Tree{N: cp.size, Hash: cp.root}, store)
	for _, n := range sampleIndexes(cp.size) {
		leaf, err := rebuilt.ReadHashes([]int64{tlog.StoredHashIndex(0, n)})
		if err != nil {
			return "", err
		}
		proof, err := tlog.ProveRecord(cp.size, n, auth)
		if err != nil {
			return "", fmt.Errorf("inclusion proof of entry %d: %v", n, err)
		}
		if err := tlog.CheckRecord(proof, cp.size, cp.root, n, leaf[0]); err != nil {
			return "", fail("inclusion proof of entry %d does not check: %v", n, err)
		}
	}

	// 5. Consistency with an older checkpoint.
	if oldPath != "" {
		old, err := openCheckpoint(oldPath, verifier)
		if err != nil {
			return "", fmt.Errorf("old checkpoint: %v", err)
		}
		if old.origin != cp.origin {
			return "", fail("old checkpoint origin %q is not %q", old.origin, cp.origin)
		}
		if old.size > cp.size {
			return "", fail("old checkpoint size %d is larger than the current %d", old.size, cp.size)
		}
		if old.size > 0 {
			proof, err := tlog.ProveTree(cp.size, old.size, auth)
			if err != nil {
				return "", fmt.Errorf("consistency proof %d -> %d: %v", old.size, cp.size, err)
			}
			if err := tlog.CheckTree(proof, cp.size, cp.root, old.size, old.root); err != nil {
				return "", fail("consistency proof %d -> %d does not check: %v", old.size, cp.size, err)
			}
			// The same from the tree rebuilt from the entries: the old root is the prefix's root.
			oldRoot, err := tlog.TreeHash(old.size, rebuilt)
			if err != nil {
				return "", err
			}
			if oldRoot != old.root {
				return "", fail("the first %d entries hash to %s, not the old checkpoint root %s", old.size, oldRoot, old.root)
			}
		}
	}

	return fmt.Sprintf("OK %s %d %s", cp.origin, cp.size, base64.StdEncoding.EncodeToString(cp.root[:])), nil
}

// openCheckpoint verifies a checkpoint note with Go's note package and parses its three lines.
func openCheckpoint(path string, verifier note.Verifier) (*checkpoint, error) {
	msg, err := os.ReadFile(path)
	if err != nil {
		return nil, fail("%v", err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return nil, fail("%s: note.Open: %v", path, err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 {
		return nil, fail("%s: checkpoint has %d lines, needs origin, size and root", path, len(lines))
	}
	cp := &checkpoint{origin: lines[0]}
	if lines[0] == "" {
		return nil, fail("%s: empty origin line", path)
	}
	if lines[1] != "0" && (strings.HasPrefix(lines[1], "0") || strings.HasPrefix(lines[1], "+")) {
		return nil, fail("%s: size %q has a leading zero or sign", path, lines[1])
	}
	cp.size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || cp.size < 0 {
		return nil, fail("%s: size %q is not a decimal number", path, lines[1])
	}
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return nil, fail("%s: root %q is not a base64 SHA-256 hash", path, lines[2])
	}
	copy(cp.root[:], root)
	return cp, nil
}

// tileStore reads C2SP tiles from a store folder. It is a tlog.TileReader (for tlog.TileHashReader)
// and, through readStoredHashes, a plain unauthenticated tlog.HashReader.
type tileStore struct {
	dir   string
	size  int64
	cache map[tlog.Tile][]byte
}

// c2spPath maps a Go tile (tile/8/L/N[.p/W] in sumdb) to its C2SP path tile/L/N[.p/W]: the same N
// encoding (x001/x234/067), no height element, and level -1 ("data") is C2SP's "entries".
func c2spPath(t tlog.Tile) string {
	goPath := t.Path() // tile/8/L/...
	prefix := fmt.Sprintf("tile/%d/", t.H)
	if !strings.HasPrefix(goPath, prefix) {
		panic("unexpected tile path " + goPath)
	}
	rest := strings.TrimPrefix(goPath, prefix)
	if strings.HasPrefix(rest, "data/") {
		rest = "entries/" + strings.TrimPrefix(rest, "data/")
	}
	return "tile/" + rest
}

func (s *tileStore) Height() int { return tileHeight }

func (s *tileStore) readTile(t tlog.Tile) ([]byte, error) {
	if data, ok := s.cache[t]; ok {
		return data, nil
	}
	p := c2spPath(t)
	data, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(p)))
	if err != nil {
		return nil, fail("tile %s: %v", p, err)
	}
	if t.L >= 0 && len(data) != t.W*tlog.HashSize {
		return nil, fail("tile %s is %d bytes, expected %d", p, len(data), t.W*tlog.HashSize)
	}
	s.cache[t] = data
	return data, nil
}

func (s *tileStore) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := s.readTile(t)
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (s *tileStore) SaveTiles([]tlog.Tile, [][]byte) {}

// widest returns the tile of the tree of size s.size holding t's hashes: full, or the final partial.
func (s *tileStore) widest(t tlog.Tile) tlog.Tile {
	stored := s.size >> uint(t.L*t.H)
	t.W = tileWidth
	if left := stored - t.N<<uint(t.H); left < tileWidth {
		t.W = int(left)
	}
	return t
}

func isFinalTile(t tlog.Tile, size int64) bool {
	stored := size >> uint(t.L*t.H)
	return t.N == stored>>uint(t.H) && int64(t.W) == stored-t.N<<uint(t.H)
}

// readStoredHashes reads stored hashes straight from the tile files, authenticating nothing.
func (s *tileStore) readStoredHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		t := s.widest(tlog.TileForIndex(tileHeight, x))
		data, err := s.readTile(t)
		if err != nil {
			return nil, err
		}
		h, err := tlog.HashFromTile(t, data, x)
		if err != nil {
			return nil, fail("stored hash %d: %v", x, err)
		}
		out[i] = h
	}
	return out, nil
}

// memHashes is an in-memory tlog.HashReader over all stored hashes of a tree.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m)) {
			return nil, errors.New("stored hash index out of range")
		}
		out[i] = m[x]
	}
	return out, nil
}

// checkEntries reads every entry bundle, checks each record hash against the level-0 tile, and
// returns the tree's stored hashes rebuilt from the entries alone (root checked).
func checkEntries(s *tileStore, cp *checkpoint) (memHashes, error) {
	hashes := make(memHashes, 0, tlog.StoredHashCount(cp.size))
	var n int64
	for bundle := int64(0); bundle*tileWidth < cp.size; bundle++ {
		t := s.widest(tlog.Tile{H: tileHeight, L: 0, N: bundle})
		t.L = -1 // Go's "data" tile: C2SP's entry bundle
		data, err := s.readTile(t)
		if err != nil {
			return nil, err
		}
		entries, err := splitBundle(data)
		if err != nil {
			return nil, fail("%s: %v", c2spPath(t), err)
		}
		if len(entries) != t.W {
			return nil, fail("%s holds %d entries, expected %d", c2spPath(t), len(entries), t.W)
		}
		level0 := t
		level0.L = 0
		tile0, err := s.readTile(level0)
		if err != nil {
			return nil, err
		}
		for i, e := range entries {
			rh := tlog.RecordHash(e)
			if !bytes.Equal(rh[:], tile0[i*tlog.HashSize:(i+1)*tlog.HashSize]) {
				return nil, fail("entry %d (%s, entry %d): record hash %s is not the hash in %s", n, c2spPath(t), i, rh, c2spPath(level0))
			}
			more, err := tlog.StoredHashesForRecordHash(n, rh, hashes)
			if err != nil {
				return nil, err
			}
			hashes = append(hashes, more...)
			n++
		}
	}
	root, err := tlog.TreeHash(cp.size, hashes)
	if err != nil {
		return nil, err
	}
	if root != cp.root {
		return nil, fail("the %d entries hash to %s, not the checkpoint root %s", cp.size, root, cp.root)
	}
	return hashes, nil
}

// splitBundle splits a C2SP entry bundle: entries each prefixed by a big-endian uint16 length.
func splitBundle(data []byte) ([][]byte, error) {
	var out [][]byte
	for o := 0; o < len(data); {
		if o+2 > len(data) {
			return nil, fmt.Errorf("cut-off length prefix at byte %d", o)
		}
		l := int(binary.BigEndian.Uint16(data[o:]))
		if o+2+l > len(data) {
			return nil, fmt.Errorf("entry %d at byte %d claims %d bytes, %d remain", len(out), o, l, len(data)-o-2)
		}
		out = append(out, data[o+2:o+2+l])
		o += 2 + l
	}
	return out, nil
}

// sampleIndexes are the entries whose inclusion proofs are checked through tlog.TileHashReader:
// the first and last, both sides of every tile boundary and a spread in between.
func sampleIndexes(size int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	add := func(n int64) {
		if n >= 0 && n < size && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	add(0)
	add(size - 1)
	for b := int64(tileWidth); b < size; b += tileWidth {
		add(b - 1)
		add(b)
	}
	for n := int64(0); n < size; n += 97 {
		add(n)
	}
	return out
}
