// sort.cpp: the C++ peer of sort.lang (std::sort, g++ -O2).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>
int main() {
    const int n = 1000000;
    std::vector<int64_t> l;
    l.reserve(n);
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        l.push_back((int64_t)(x % 1000000000));
    }
    std::sort(l.begin(), l.end());
    int64_t check = 0;
    for (int i = 0; i < n; i += 1000) check += l[i];
    std::printf("%lld %lld %lld %lld\n", (long long)l[0], (long long)l[n / 2], (long long)l[n - 1], (long long)check);
}
