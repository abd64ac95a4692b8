// Word frequency in C++ (std::unordered_map<std::string, int>, g++ -O2): the same text
// and output as wordfreq.lang (see there).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

static uint64_t state = 88172645463325252ull;
static uint64_t next_rand() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 24;
}

static std::string spell(int k) {
    std::string s;
    int n = k;
    s += (char)(97 + n % 26);
    n /= 26;
    while (n > 0) {
        s += (char)(97 + n % 26);
        n /= 26;
    }
    return s;
}

static std::string generate(size_t bytes) {
    std::vector<std::string> words(65536);
    for (size_t i = 0; i < words.size(); i++) words[i] = spell((int)i);
    std::string text;
    long n = 0;
    while (text.size() < bytes) {
        int bits = (int)(next_rand() % 17);
        int idx = (int)(next_rand() & ((1ull << bits) - 1));
        text += words[idx];
        n++;
        text += n % 12 == 0 ? '\n' : ' ';
    }
    return text;
}

// The text is counted kPasses times into the same map, so counting outweighs generating
// and the difference of the two timed runs is steadier.
static const int kPasses = 3;

int main(int argc, char** argv) {
    int mb = argc > 2 ? atoi(argv[2]) : 20;
    std::string text = generate((size_t)mb * 1000000);
    if (argc > 1 && strcmp(argv[1], "gen") == 0) {
        printf("%zu\n", text.size());
        return 0;
    }
    std::unordered_map<std::string, int> counts;
    long total = 0;
    for (int pass = 0; pass < kPasses; pass++) {
        long start = -1;
        for (size_t i = 0; i < text.size(); i++) {
            char ch = text[i];
            if (ch == ' ' || ch == '\n') {
                if (start >= 0) {
                    counts[std::string(text.data() + start, i - start)]++;
                    total++;
                    start = -1;
                }
            } else if (start < 0) {
                start = (long)i;
            }
        }
    }
    printf("%ld words, %zu distinct\n", total, counts.size());
    std::vector<std::pair<std::string, int>> all(counts.begin(), counts.end());
    for (size_t r = 0; r < 5 && r < all.size(); r++) {
        size_t best = r;
        for (size_t j = r + 1; j < all.size(); j++)
            if (all[j].second > all[best].second || (all[j].second == all[best].second && all[j].first < all[best].first))
                best = j;
        std::swap(all[r], all[best]);
        printf("%s %d\n", all[r].first.c_str(), all[r].second);
    }
    return 0;
}
