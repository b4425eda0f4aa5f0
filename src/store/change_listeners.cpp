#include "store/change_listeners.hpp"

#include <algorithm>

namespace sb::store {

// A listener and the lock its calls hold, so that ending it waits for a call in progress.
// Recursive: a listener may commit (and so be called again) or end itself on its own thread.
struct ChangeListeners::Slot {
    explicit Slot(ChangeListener l) : listener(std::move(l)) {}
    std::recursive_mutex calling;
    const ChangeListener listener;
    bool active = true;  // guarded by `calling`

    void end() {
        std::lock_guard lock(calling);
        active = false;
    }
};

struct ChangeListeners::Registry {
    std::mutex mutex;
    std::vector<std::shared_ptr<Slot>> slots;
};

ChangeListeners::ChangeListeners() : registry_(std::make_shared<Registry>()) {}

Subscription ChangeListeners::add(ChangeListener listener) {
    auto slot = std::make_shared<Slot>(std::move(listener));
    {
        std::lock_guard lock(registry_->mutex);
        registry_->slots.push_back(slot);
    }
    // The Subscription may outlive the Database, hence the weak reference to the registry.
    return Subscription([registry = std::weak_ptr<Registry>(registry_), slot] {
        slot->end();
        if (auto r = registry.lock()) {
            std::lock_guard lock(r->mutex);
            std::erase(r->slots, slot);
        }
    });
}

void ChangeListeners::publish(const std::vector<Change>& changes) {
    std::vector<std::shared_ptr<Slot>> slots;
    {
        std::lock_guard lock(registry_->mutex);
        slots = registry_->slots;
    }
    for (const auto& slot : slots) {
        std::lock_guard lock(slot->calling);
        if (slot->active) slot->listener(changes);
    }
}

void ChangeListeners::clear() {
    std::vector<std::shared_ptr<Slot>> slots;
    {
        std::lock_guard lock(registry_->mutex);
        slots.swap(registry_->slots);
    }
    for (const auto& slot : slots)
        slot->end();
}

}  // namespace sb::store
