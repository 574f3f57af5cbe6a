// The data-marking page: a revoke asks to confirm first, and the end picker cannot go
// before the start. Everything else is plain forms answered by the server.
import "./confirm.js";

const start = document.getElementById("mark-start");
const end = document.getElementById("mark-end");
if (start && end) {
  const follow = () => {
    end.min = start.value;
  };
  start.addEventListener("change", follow);
  follow();
}
