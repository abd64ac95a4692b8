// gen.cpp: writes an equivalent large program in Lang and in C for the compile-speed
// benchmark. Usage: gen N out.lang out.c   (about 11 lines per function in each language)
// Each function has locals, a loop, a branch, struct field accesses and a call to the
// previous function, so every stage of both compilers gets real work.
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: gen N out.lang out.c\n");
        return 2;
    }
    int n = atoi(argv[1]);
    FILE* l = fopen(argv[2], "w");
    FILE* c = fopen(argv[3], "w");
    if (!l || !c) return 1;
    fprintf(l, "struct Point {\n    public var int X;\n    public var int Y;\n}\n\npublic class Program {\n");
    fprintf(c, "#include <stdio.h>\nstruct Point { long X; long Y; };\n\n");
    char call[64];
    for (int i = 0; i < n; i++) {
        if (i) snprintf(call, sizeof call, "F%d(a - 1, b)", i - 1);
        else snprintf(call, sizeof call, "0");
        fprintf(l,
                "    static int F%d(int a, int b) {\n"
                "        var p = new Point { X = a, Y = b };\n"
                "        var s = 0;\n"
                "        for (var i = 0; i < a; i += 1) {\n"
                "            s += i * b + p.X;\n"
                "            if (s > 1000) {\n"
                "                s -= p.Y;\n"
                "            }\n"
                "        }\n"
                "        return s + %s;\n"
                "    }\n",
                i, call);
        fprintf(c,
                "long F%d(long a, long b) {\n"
                "    struct Point p = { a, b };\n"
                "    long s = 0;\n"
                "    for (long i = 0; i < a; i += 1) {\n"
                "        s += i * b + p.X;\n"
                "        if (s > 1000) {\n"
                "            s -= p.Y;\n"
                "        }\n"
                "    }\n"
                "    return s + %s;\n"
                "}\n",
                i, call);
    }
    fprintf(l, "    public static void Main() {\n        Console.WriteLine(F%d(5, 3));\n    }\n}\n", n - 1);
    fprintf(c, "int main(void) {\n    printf(\"%%ld\\n\", F%d(5, 3));\n    return 0;\n}\n", n - 1);
    fclose(l);
    fclose(c);
    return 0;
}
