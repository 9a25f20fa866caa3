/* Fake /proc and /sys trees for unit tests that set MEMTUNE_FSROOT. */
#ifndef MT_TEST_FAKE_TREE_H
#define MT_TEST_FAKE_TREE_H

/* Writes text to root + rel, creating the directories on the way; fails
 * the running cmocka test on any error. */
void mt_test_put(const char *root, const char *rel, const char *text);

/* Removes the tree at root, depth first (symbolic links not followed). */
void mt_test_remove_tree(const char *root);

#endif
