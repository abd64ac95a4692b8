// collections_prelude.cpp: the core collection List<T> every program sees (spec 10.4).
//
// Like the Error prelude (error_prelude.cpp) it is Lang source compiled with the program as
// one more file, "<prelude>/collections.lang", in the root namespace, and only when the
// program's text mentions `List` (so other programs compile exactly as before). Generic
// classes are instantiated only for the type arguments a program uses, and methods of an
// instance are lowered only when reached, so an unused part costs no code.
#include "parse/parser.h"
#include "sema/prelude.h"

namespace lang {

static const char kCollectionsPrelude[] = R"LANG(
public class List<T> {
    var T[] items = new T[0];
    var int count;

    public List() { }
    public List(int capacity) {
        if (capacity < 0) panic($"List capacity {capacity} is negative");
        items = new T[capacity];
    }

    public int Count() => count;

    // The element at i < count. The slots from count on are zero bytes (for a class, a
    // null reference the type does not allow) and are never read.
    T Item(int i) => items[i];
    public int Capacity() => items.Length;

    mut void Grow(int need) {
        var cap = items.Length * 2;
        if (cap < 4) cap = 4;
        if (cap < need) cap = need;
        var n = new T[cap];
        for (var i = 0; i < count; i += 1) n[i] = items[i];
        items = n;
    }

    public mut void Add(T x) {
        if (count == items.Length) Grow(count + 1);
        items[count] = x;
        count += 1;
    }

    public mut void Insert(int index, T x) {
        if (index < 0 || index > count) panic($"index {index} out of range for List of Count {count}");
        if (count == items.Length) Grow(count + 1);
        var i = count;
        while (i > index) {
            items[i] = items[i - 1];
            i -= 1;
        }
        items[index] = x;
        count += 1;
    }

    // list[i] and list[i] = x (spec 7.6).
    public T get_Item(int index) {
        if (index < 0 || index >= count) panic($"index {index} out of range for List of Count {count}");
        return Item(index);
    }

    public mut void set_Item(int index, T x) {
        if (index < 0 || index >= count) panic($"index {index} out of range for List of Count {count}");
        items[index] = x;
    }

    public mut T RemoveAt(int index) {
        if (index < 0 || index >= count) panic($"index {index} out of range for List of Count {count}");
        let x = Item(index);
        for (var i = index; i + 1 < count; i += 1) items[i] = items[i + 1];
        count -= 1;
        return x;
    }

    public mut T? Pop() {
        if (count == 0) return null;
        count -= 1;
        return items[count];
    }

    public int IndexOf<U>(U x) {
        for (var i = 0; i < count; i += 1)
            if (Item(i) == x) return i;
        return -1;
    }

    public bool Contains<U>(U x) {
        for (var i = 0; i < count; i += 1)
            if (Item(i) == x) return true;
        return false;
    }

    public mut void Reverse() {
        var i = 0;
        var j = count - 1;
        while (i < j) {
            let t = items[i];
            items[i] = items[j];
            items[j] = t;
            i += 1;
            j -= 1;
        }
    }

    public mut void Clear() {
        items = new T[0];
        count = 0;
    }

    public T[] ToArray() {
        var a = new T[count];
        for (var i = 0; i < count; i += 1) a[i] = Item(i);
        return a;
    }
}
)LANG";

bool is_prelude_import(const ArenaVec<Ident>& path) {
    return path.size == 2 && path[0] == "Std" && path[1] == "Collections";
}

// A program gets List<T> when its text mentions List, unless it declares its own
// namespace-level `List` (which then is the List it means, as before the library had one).
static bool mentions_list(Compilation& c) {
    for (FileAst* f : c.files) {
        if (!f || is_prelude_path(c.sources.file(f->file_id).path)) continue;
        for (Decl* d : f->decls)
            if (d && d->kind == DeclKind::Type && d->name == "List") return false;
    }
    for (FileAst* f : c.files) {
        if (!f || is_prelude_path(c.sources.file(f->file_id).path)) continue;
        if (c.sources.file(f->file_id).text.find("List") != std::string::npos) return true;
    }
    return false;
}

void add_collections_prelude(Compilation& c) {
    for (FileAst* f : c.files)
        if (f && c.sources.file(f->file_id).path == kCollectionsPreludePath) return; // already there
    if (!mentions_list(c)) return;
    uint32_t id = c.sources.add(std::string(kCollectionsPreludePath), std::string(kCollectionsPrelude));
    if (FileAst* f = parse_file(c, id)) c.files.insert(c.files.begin(), f);
}

} // namespace lang
