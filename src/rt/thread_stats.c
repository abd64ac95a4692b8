/* thread_stats.c: counters kept per OS thread and summed when read.
 *
 * The default allocator and the string layer count live blocks and strings for the leak
 * report. One shared atomic counter costs a locked read-modify-write per allocation and
 * per free (a word-frequency loop makes and frees a string per word: eight of them per
 * word, most of its time). Instead each OS thread owns a LangThreadStats block and is its
 * only writer, so an update is a plain load and store; a reader sums the blocks of every
 * thread that ever counted. A block is linked into the list when its thread first counts
 * and is never unlinked or freed, so counts made by threads that have exited still add up.
 * A block freed on another thread than the one that made it counts -1 there: only the sum
 * is meaningful. Fields are accessed with relaxed atomics (no lock prefix on x86-64) so a
 * concurrent reader is well defined; sums read while threads run are approximate.
 */
#include <pthread.h>
#include <stdlib.h>
#include "rt_internal.h"

static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static LangThreadStats *all_stats;              /* guarded by all_lock; push only */
__thread LangThreadStats *lang_this_thread_stats;

LangThreadStats *lang_thread_stats_register(void) {
    LangThreadStats *t = calloc(1, sizeof *t);
    if (!t) lang_panic("out of memory: thread statistics");
    pthread_mutex_lock(&all_lock);
    t->next = all_stats;
    all_stats = t;
    pthread_mutex_unlock(&all_lock);
    lang_this_thread_stats = t;
    return t;
}

int64_t lang_thread_stats_sum(size_t field_offset) {
    int64_t sum = 0;
    pthread_mutex_lock(&all_lock);
    for (LangThreadStats *t = all_stats; t; t = t->next)
        sum += __atomic_load_n((int64_t *)((char *)t + field_offset), __ATOMIC_RELAXED);
    pthread_mutex_unlock(&all_lock);
    return sum;
}
