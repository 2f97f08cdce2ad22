import type { HTMLAttributes } from "react";

type DivProps = HTMLAttributes<HTMLDivElement>;

function cx(...classes: (string | undefined)[]): string {
  return classes.filter(Boolean).join(" ");
}

export function Card({ className, ...props }: DivProps) {
  return <div className={cx("card", className)} {...props} />;
}

export function CardHeader({ className, ...props }: DivProps) {
  return <div className={cx("card-header", className)} {...props} />;
}

export function CardTitle({ className, ...props }: HTMLAttributes<HTMLHeadingElement>) {
  return <h2 className={cx("card-title", className)} {...props} />;
}

export function CardDescription({ className, ...props }: HTMLAttributes<HTMLParagraphElement>) {
  return <p className={cx("card-description", className)} {...props} />;
}

export function CardContent({ className, ...props }: DivProps) {
  return <div className={cx("card-content", className)} {...props} />;
}

export function CardFooter({ className, ...props }: DivProps) {
  return <div className={cx("card-footer", className)} {...props} />;
}
