#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "dispatch/status_sink.hpp"
#include "ingest/inbox.hpp"
#include "ingest/webhook_item.hpp"

namespace chorus::app {

/// The reconciler's StatusSink: the inbox delivery callbacks go through. A status learnt by
/// asking the carrier becomes the StatusItem a callback would have made, so it is stored the
/// same way (delivery_events once per reported status, the message moved forward only).
class InboxStatusSink final : public dispatch::StatusSink {
 public:
  explicit InboxStatusSink(ingest::Inbox& inbox) : inbox_(inbox) {}

  void Record(std::vector<dispatch::ReportedStatus> reports,
              std::function<void(Result<void>)> done) override {
    if (reports.empty()) {
      done(Ok());
      return;
    }
    std::vector<ingest::WebhookItem> items;
    for (dispatch::ReportedStatus& r : reports) {
      items.emplace_back(ingest::StatusItem{r.organization_id, r.channel_id,
                                            std::move(r.carrier_message_id), r.status,
                                            std::move(r.raw_status), std::move(r.error_code)});
    }
    inbox_.SubmitAll(std::move(items), [done = std::move(done)](Result<std::vector<bool>> stored) {
      if (stored.ok()) {
        done(Ok());
      } else {
        done(stored.take_error());
      }
    });
  }

 private:
  ingest::Inbox& inbox_;
};

}  // namespace chorus::app
