#pragma once
// The subscribers of a Database, for the backends: each committed change reaches every listener
// on the thread that delivers it, and a Subscription ends its listener's calls.
#include <memory>
#include <mutex>
#include <vector>

#include "store/database.hpp"

namespace sb::store {

class ChangeListeners {
  public:
    ChangeListeners();

    Subscription add(ChangeListener listener);
    // Calls every listener with `changes` on this thread.
    void publish(const std::vector<Change>& changes);
    // Ends every listener; calls in progress finish first (their Subscriptions then do nothing).
    void clear();

  private:
    struct Slot;
    struct Registry;
    std::shared_ptr<Registry> registry_;
};

}  // namespace sb::store
