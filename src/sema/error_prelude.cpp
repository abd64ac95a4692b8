// error_prelude.cpp: the `Error` and `ParseError` classes every program sees (spec 10.3).
//
// They are Lang source compiled with the program as one more file, "<prelude>/errors.lang"
// (only when the program's text mentions Err, fail, catch or Parse: see needs_prelude),
// in the root namespace (resolve.cpp gives a file whose path starts with '<' the root
// namespace and leaves it out of the program's folder). Invariants the compiler and the
// runtime rely on (src/rt/error.c, struct LangError): the instance fields of Error are, in
// this order, Message, Cause, Location, Trace (offsets 16, 24, 32, 40), and the runtime
// sets Location (at `fail`) and Trace (at each `try`) itself. `int.Parse`/`float.Parse`
// are the static methods ParseInt/ParseFloat of ParseError (check_errors.cpp);
// `__lang_parse_f64` is a builtin only this file may call (strtod of checked text).
#include "parse/ast.h"
#include "sema/prelude.h"

namespace lang {

static const char kErrorPrelude[] = R"LANG(
public class Error {
    public string Message;
    public Error? Cause;
    public string Location;
    public string[] Trace;
    public Error(string message) { Message = message; }
    public Error(string message, own Error? cause) { Message = message; Cause = cause; }
}

public class ParseError : Error {
    public string Text;
    public int Position;
    public ParseError(string message) : base(message) { }
    public ParseError(string message, string text, int position) : base(message) {
        Text = text;
        Position = position;
    }

    static ParseError Bad(string text, string what, int pos, string why) {
        return new ParseError($"cannot parse \"{text}\" as {what}: {why} at position {pos}", text, pos);
    }

    static string Unexpected(char c) {
        return $"unexpected '{c}'";
    }

    public static int! ParseInt(string s) {
        let n = s.Length;
        var i = 0;
        var neg = false;
        if (n > 0 && (s[0] == '-' || s[0] == '+')) {
            neg = s[0] == '-';
            i = 1;
        }
        if (i == n) fail Bad(s, "int", i, "no digits");
        var v = 0;
        while (i < n) {
            let c = s[i];
            if (c < '0' || c > '9') fail Bad(s, "int", i, Unexpected(c));
            let d = c - '0';
            // v is kept negative: -9223372036854775808 has no positive counterpart.
            if (v < (-9223372036854775807 - 1 + d) / 10) fail Bad(s, "int", 0, "out of range");
            v = v * 10 - d;
            i += 1;
        }
        if (!neg) {
            if (v == -9223372036854775807 - 1) fail Bad(s, "int", 0, "out of range");
            return -v;
        }
        return v;
    }

    static int Digits(string s, int from) {
        var i = from;
        while (i < s.Length && s[i] >= '0' && s[i] <= '9') i += 1;
        return i - from;
    }

    public static float! ParseFloat(string s) {
        let n = s.Length;
        var i = 0;
        if (n > 0 && (s[0] == '-' || s[0] == '+')) i = 1;
        let whole = Digits(s, i);
        i += whole;
        var frac = 0;
        if (i < n && s[i] == '.') {
            frac = Digits(s, i + 1);
            i += 1 + frac;
        }
        if (whole + frac == 0) {
            if (i < n && s[i] != '.') fail Bad(s, "float", i, Unexpected(s[i]));
            fail Bad(s, "float", i, "no digits");
        }
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
            i += 1;
            if (i < n && (s[i] == '-' || s[i] == '+')) i += 1;
            let exp = Digits(s, i);
            if (exp == 0) {
                if (i < n) fail Bad(s, "float", i, Unexpected(s[i]));
                fail Bad(s, "float", i, "no exponent digits");
            }
            i += exp;
        }
        if (i < n) fail Bad(s, "float", i, Unexpected(s[i]));
        return __lang_parse_f64(s);
    }
}
)LANG";

// Only a program that can name what the prelude defines gets it (a `fail`, a `catch`, an
// `Err` pattern, or the word Error, ParseError or Parse in its code), so the others compile
// exactly as before and pay nothing for it.
static bool needs_prelude(Compilation& c) {
    for (FileAst* f : c.files)
        if (f && f->fails && !is_prelude_path(c.sources.file(f->file_id).path)) return true;
    return mentions_word(c, "Error") || mentions_word(c, "ParseError") || mentions_word(c, "Parse");
}

void add_error_prelude(Compilation& c, bool always) {
    if (always || needs_prelude(c)) add_prelude_file(c, kPreludePath, kErrorPrelude);
}

} // namespace lang
